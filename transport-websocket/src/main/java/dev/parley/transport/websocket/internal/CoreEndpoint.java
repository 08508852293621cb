package dev.parley.transport.websocket.internal;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.socketio.OpenPacket;
import dev.parley.spi.Admission;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Session;
import jakarta.websocket.CloseReason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;
import org.eclipse.jetty.websocket.core.exception.MessageTooLargeException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO v4 connection on Jetty's core WebSocket API: what {@link EngineIoEndpoint} does on the Jakarta
 * path (the open packet, then each message handed to the session's {@link EngineIoPackets}), with the least
 * state per connection: the shared {@link CoreUpgrade} for everything every connection has in common. Jetty
 * hands it one frame at a time and the next only on demand, so its fields need no lock. A message split into
 * fragments is assembled here, up to {@code maxPayload} (over it: 1009); a text that is not UTF-8 gets 1007,
 * as the Jakarta path's container does.
 */
final class CoreEndpoint implements FrameHandler {
  private static final Logger log = LoggerFactory.getLogger(CoreEndpoint.class);

  private final CoreUpgrade shared;
  private final ConnectionInfo info;
  // This socket's place in its address's connection limit; the engine session releases it when it ends.
  private final Admission admission;
  private final EngineIoPackets packets;
  private @Nullable CoreSession core;
  private @Nullable WsConnection connection;
  // A fragmented message being assembled (rare: clients send each message as one frame): its opcode and bytes.
  private byte fragmentsOpCode;
  private byte @Nullable [] fragments;
  private int fragmentsLength;

  CoreEndpoint(CoreUpgrade shared, ConnectionInfo info, Admission admission) {
    this.shared = shared;
    this.info = info;
    this.admission = admission;
    this.packets = new EngineIoPackets(shared.config, shared.context, shared.codec);
  }

  @Override
  public void onOpen(CoreSession session, Callback callback) {
    core = session;
    shared.openSockets.incrementAndGet();
    WsConnection opening = new WsConnection(broken -> JettySocketWriter.of(session, broken), shared.codec);
    Session opened;
    try {
      opened = shared.context.open(opening, info, admission);
    } catch (IllegalStateException e) {
      callback.succeeded();
      opening.close(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
      return;
    }
    connection = opening;
    // Direct, not through the engine's outbound buffer: it is small, sent once, and nothing can be queued
    // before it (no frame has been read yet, so the client has not been heard).
    opening.sendOpen("0" + new OpenPacket(opened.id(), List.of(), shared.config.pingInterval().toMillis(),
        shared.config.pingTimeout().toMillis(), shared.config.maxPayload()).encode());
    packets.start(opened, opening);
    callback.succeeded();
    session.demand();
  }

  @Override
  public void onFrame(Frame frame, Callback callback) {
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

  private static ByteBuffer payload(Frame frame) {
    return frame.hasPayload() ? frame.getPayload() : BufferUtil.EMPTY_BUFFER;
  }

  private void append(Frame frame) {
    byte[] into = fragments;
    if (into == null) {
      throw new BadPayloadException("continuation frame with no message to continue");
    }
    int size = frame.getPayloadLength();
    long total = (long) fragmentsLength + size;
    if (total > shared.config.maxPayload()) {
      throw new MessageTooLargeException("a message of more than " + shared.config.maxPayload() + " bytes");
    }
    if (total > into.length) {
      into = Arrays.copyOf(into, (int) Math.min(shared.config.maxPayload(), Math.max(total, 2L * into.length)));
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
      packets.onBinary(message);
      return;
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(message).toString();
    } catch (CharacterCodingException e) {
      throw new BadPayloadException("text message that is not UTF-8");
    }
    packets.onText(text);
  }

  @Override
  public void onError(Throwable cause, Callback callback) {
    Session current = packets.session();
    log.debug("session {}: {}", current == null ? "?" : current.id(), cause.toString());
    packets.stop();
    admission.release();
    if (current != null) {
      // Jetty reports a message over maxPayload or a text that is not UTF-8 here, before it closes the socket.
      current.closed(WsConnection.containerReason(WsConnection.containerCloseCode(cause),
          DisconnectReason.TRANSPORT_ERROR));
    }
    callback.succeeded();
  }

  @Override
  public void onClosed(CloseStatus closeStatus, Callback callback) {
    if (core != null) {
      core = null;
      shared.openSockets.decrementAndGet();
    }
    fragments = null;
    packets.stop();
    // Also when onOpen never got a session (the server was closing); releasing twice is harmless.
    admission.release();
    Session current = packets.session();
    if (current != null) {
      WsConnection currentConnection = connection;
      DisconnectReason reason = currentConnection == null ? DisconnectReason.TRANSPORT_CLOSE
          : currentConnection.closeReason();
      if (reason == DisconnectReason.TRANSPORT_CLOSE && closeStatus != null) {
        reason = WsConnection.containerReason(closeStatus.getCode(), reason);
      }
      current.closed(reason);
    }
    callback.succeeded();
  }
}
