package dev.parley.transport.websocket.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;
import org.eclipse.jetty.websocket.core.exception.MessageTooLargeException;
import org.jspecify.annotations.Nullable;

/**
 * Reads one socket's messages on Jetty's core WebSocket API, for {@link CoreEndpoint} and {@link CoreProbe}:
 * Jetty hands it one frame at a time and the next only on demand, so its fields need no lock. A message split
 * into fragments is assembled here, up to {@code maxPayload} (over it: 1009); a text that is not UTF-8 gets 1007,
 * as the Jakarta path's container does; a ping is answered with a pong.
 */
abstract class CoreFrames implements FrameHandler {
  final CoreUpgrade shared;
  @Nullable CoreSession core;
  // A fragmented message being assembled (rare: clients send each message as one frame): its opcode and bytes.
  private byte fragmentsOpCode;
  private byte @Nullable [] fragments;
  private int fragmentsLength;

  CoreFrames(CoreUpgrade shared) {
    this.shared = shared;
  }

  /**
   * The socket is open: returns whether to read from it (false when it is being closed already). Called before
   * Jetty hears that the open is complete, so frames sent from here go first.
   */
  abstract boolean opened(CoreSession session);

  /** A whole text message, decoded. */
  abstract void onText(String text);

  /** A whole binary message; its bytes are valid during the call only. */
  abstract void onBinary(ByteBuffer bytes);

  @Override
  public final void onOpen(CoreSession session, Callback callback) {
    core = session;
    boolean read = opened(session);
    callback.succeeded();
    if (read) {
      session.demand();
    }
  }

  @Override
  public final void onFrame(Frame frame, Callback callback) {
    byte opCode = frame.getOpCode();
    try {
      switch (opCode) {
        case OpCode.TEXT, OpCode.BINARY -> {
          if (frame.isFin()) {
            deliver(opCode, payload(frame));
          } else {
            fragmentsOpCode = opCode;
            fragmentsLength = 0;
            fragments = new byte[Math.max(256, frame.getPayloadLength())];
            append(frame);
          }
        }
        case OpCode.CONTINUATION -> {
          append(frame);
          if (frame.isFin()) {
            byte[] whole = fragments;
            fragments = null;
            deliver(fragmentsOpCode, ByteBuffer.wrap(whole == null ? new byte[0] : whole, 0, fragmentsLength));
          }
        }
        case OpCode.PING -> {
          CoreSession session = core;
          if (session != null) {
            session.sendFrame(new Frame(OpCode.PONG).setPayload(BufferUtil.copy(payload(frame))), Callback.NOOP,
                false);
          }
        }
        default -> {
          // A pong, or the close frame Jetty answers itself.
        }
      }
    } catch (MessageTooLargeException | BadPayloadException e) {
      fragments = null;
      // Jetty closes the socket with the exception's code and reports it to onError, as on the Jakarta path.
      callback.failed(e);
      return;
    }
    callback.succeeded();
    CoreSession session = core;
    if (opCode != OpCode.CLOSE && session != null) {
      session.demand();
    }
  }

  /** Drops a message being assembled, and returns whether the socket was open (so this counts its end once). */
  final boolean end() {
    fragments = null;
    boolean open = core != null;
    core = null;
    return open;
  }

  private static ByteBuffer payload(Frame frame) {
    return frame.hasPayload() ? frame.getPayload() : BufferUtil.EMPTY_BUFFER;
  }

  private void append(Frame frame) {
    byte[] into = fragments;
    if (into == null) {
      throw new BadPayloadException("continuation frame with no message to continue");
    }
    long maxPayload = shared.config.maxPayload();
    int size = frame.getPayloadLength();
    long total = (long) fragmentsLength + size;
    if (total > maxPayload) {
      throw new MessageTooLargeException("a message of more than " + maxPayload + " bytes");
    }
    if (total > into.length) {
      into = Arrays.copyOf(into, (int) Math.min(maxPayload, Math.max(total, 2L * into.length)));
      fragments = into;
    }
    payload(frame).get(into, fragmentsLength, size);
    fragmentsLength = (int) total;
  }

  private void deliver(byte opCode, ByteBuffer message) {
    if (message.remaining() > shared.config.maxPayload()) {
      throw new MessageTooLargeException("a message of more than " + shared.config.maxPayload() + " bytes");
    }
    if (opCode == OpCode.BINARY) {
      onBinary(message);
      return;
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(message).toString();
    } catch (CharacterCodingException e) {
      throw new BadPayloadException("text message that is not UTF-8");
    }
    onText(text);
  }
}
