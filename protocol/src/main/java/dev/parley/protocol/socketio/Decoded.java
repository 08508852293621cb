package dev.parley.protocol.socketio;

import dev.parley.protocol.Packet;
import java.util.Objects;

/**
 * What {@link SocketIoCodec} made of a Socket.IO text frame: a packet, or a binary packet still waiting for the
 * binary frames its text announced. Sealed so that a caller handles both and needs no cast. Immutable; the
 * {@link BinaryAssembly} inside an {@link AwaitingAttachments} is not (see there).
 */
public sealed interface Decoded permits Decoded.Complete, Decoded.AwaitingAttachments {

  /**
   * A packet that is whole: everything it carries was in the text.
   *
   * @param packet the packet
   */
  record Complete(Packet packet) implements Decoded {
    public Complete {
      Objects.requireNonNull(packet, "packet");
    }
  }

  /**
   * A BINARY_EVENT or BINARY_ACK whose text was read and checked; the packet comes out of
   * {@link BinaryAssembly#add(byte[])} once its last binary frame has been added.
   *
   * @param assembly the attachments collected so far (none yet); used by one thread at a time
   */
  record AwaitingAttachments(BinaryAssembly assembly) implements Decoded {
    public AwaitingAttachments {
      Objects.requireNonNull(assembly, "assembly");
    }
  }
}
