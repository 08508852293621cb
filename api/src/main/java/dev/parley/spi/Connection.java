package dev.parley.spi;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.protocol.PacketEncoder;
import java.util.List;

/**
 * A transport's side of one client connection, which the engine writes to. The engine calls
 * {@link #write} with at most one batch outstanding, and only after the previous batch's callback.
 */
public interface Connection {

  /**
   * Writes packets, in order, without blocking; the transport encodes each with
   * {@link Outgoing#encoded(PacketEncoder)} and calls exactly one of {@code done}'s methods when the
   * batch is written or has failed, on any thread (possibly before this method returns).
   */
  void write(List<Outgoing> batch, WriteCallback done);

  /**
   * Closes the connection without blocking, telling the client why where the wire allows it.
   *
   * <p>The engine settles the reason before it calls this: it has ended the session with {@code reason}, or
   * (when the server shuts down) told every channel its reason and marked the session closing. The
   * transport may therefore report {@link Session#closed} the moment it sees the connection end, with what
   * it saw (even from inside this call): that report does not replace the engine's reason. No delay is
   * needed for the engine's reason to win.
   */
  void close(DisconnectReason reason);

  /**
   * Whether the client can resume its channels by connection state recovery: it keeps the private id
   * the engine hands out on connect and the offset of the last posted message it received (from
   * {@link Packet.Event#recoverable() recoverable} events), and presents them when it reconnects, as
   * Socket.IO clients 4.6+ do. The engine saves a channel's state when its connection drops only if this
   * is true. The default is false.
   */
  default boolean recoverable() {
    return false;
  }

  /**
   * The bytes {@code packet} will hold in this connection's buffers once encoded, for the outbound byte
   * bound. Called on the thread that queues the packet, before {@link #write}; it may encode the packet
   * (the encoding is cached in the {@code Outgoing} and shared by every connection of the same wire format).
   * The default is {@link Outgoing#estimatedSize()}, a transport-independent estimate.
   */
  default long weigh(Outgoing packet) {
    return packet.estimatedSize();
  }

  /**
   * The most packets the engine hands to one {@link #write}. Whatever this says, a batch also stays within a
   * quarter of the connection's outbound buffer, in packets and in bytes, so that the buffer has room for what
   * comes while the batch is written. A transport whose every write waits for a request of the client's (an
   * HTTP long-poll) asks for more than the default, 64, so that a burst needs few round trips. Called once,
   * when the session opens.
   */
  default int maxBatch() {
    return DEFAULT_MAX_BATCH;
  }

  /** {@link #maxBatch()}'s default: enough to put a burst in few writes, few enough to keep each write short. */
  int DEFAULT_MAX_BATCH = 64;

  /** The completion of a {@link #write}. */
  interface WriteCallback {
    void written();

    void failed(Throwable error);
  }
}
