package dev.parley.transport.websocket.internal;

import dev.parley.DisconnectReason;
import dev.parley.spi.Connection;
import dev.parley.spi.Outgoing;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to one WebSocket without blocking. Engine batches and Engine.IO control frames (open, ping) go
 * through a {@link FrameWire}: inside Jetty its core session (UTF-8 shared by a broadcast's receivers, one
 * write per batch), elsewhere the portable Jakarta API. The system property {@value #PORTABLE_PROPERTY}
 * {@code =true} forces the portable wire, should the Jetty one ever misbehave.
 */
final class WsConnection implements Connection {
  static final String PORTABLE_PROPERTY = "parley.websocket.portable";
  private static final Logger log = LoggerFactory.getLogger(WsConnection.class);

  private final Session socket;
  private final FrameWire wire;
  private final SocketIoCodec codec;
  private volatile DisconnectReason closeReason = DisconnectReason.TRANSPORT_CLOSE;

  WsConnection(Session socket, SocketIoCodec codec) {
    this.socket = socket;
    this.wire = wireFor(socket);
    this.codec = codec;
  }

  private static FrameWire wireFor(Session socket) {
    if (!Boolean.getBoolean(PORTABLE_PROPERTY)) {
      try {
        FrameWire jetty = JettyWire.of(socket);
        if (jetty != null) {
          return jetty;
        }
      } catch (LinkageError e) {
        // Some Jetty classes are there and others are not (a trimmed container): the portable wire works anywhere.
        log.debug("Jetty wire unavailable", e);
      }
    }
    return new JakartaWire(socket.getAsyncRemote());
  }

  /** Which wire this connection uses; for tests. */
  boolean portable() {
    return wire instanceof JakartaWire;
  }

  @Override
  public void write(List<Outgoing> batch, WriteCallback done) {
    List<WireFrame> frames = new ArrayList<>(batch.size());
    for (Outgoing packet : batch) {
      frames.add(packet.encoded(codec));
    }
    wire.send(frames, done);
  }

  /** Socket.IO clients 4.6+ resume with the private id and offset (connection state recovery). */
  @Override
  public boolean recoverable() {
    return true;
  }

  /** Queues an Engine.IO control frame (open, ping). */
  void sendControl(String text) {
    wire.sendControl(text);
  }

  /** Why the server closed the socket, or TRANSPORT_CLOSE if the client did. */
  DisconnectReason closeReason() {
    return closeReason;
  }

  @Override
  public void close(DisconnectReason reason) {
    closeReason = reason;
    close(codeFor(reason), reason.wireName());
  }

  void close(CloseReason.CloseCode code, String phrase) {
    try {
      if (socket.isOpen()) {
        socket.close(new CloseReason(code, phrase));
      }
    } catch (IOException | IllegalStateException e) {
      log.debug("close failed", e);
    }
  }

  static CloseReason.CloseCode codeFor(DisconnectReason reason) {
    return switch (reason) {
      case SLOW_CONSUMER -> CloseReason.CloseCodes.VIOLATED_POLICY;
      case PARSE_ERROR -> CloseReason.CloseCodes.PROTOCOL_ERROR;
      case SERVER_SHUTTING_DOWN, PING_TIMEOUT -> CloseReason.CloseCodes.GOING_AWAY;
      default -> CloseReason.CloseCodes.NORMAL_CLOSURE;
    };
  }
}
