package dev.parley.transport.websocket.internal;

import dev.parley.DisconnectReason;
import dev.parley.internal.LogSafe;
import dev.parley.spi.Admission;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Packet;
import dev.parley.spi.Session;
import dev.parley.spi.TransportContext;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * One Engine.IO v4 connection over WebSocket: the open packet, heartbeats, and Socket.IO packets in
 * and out. The container calls its handlers one at a time.
 */
public final class EngineIoEndpoint extends Endpoint {
  private static final Logger log = LoggerFactory.getLogger(EngineIoEndpoint.class);

  private final WebSocketTransportConfig config;
  private final TransportContext context;
  private final SocketIoCodec codec;
  private final ConnectionInfo info;
  // This socket's place in its address's connection limit; the engine session releases it when it ends.
  private final Admission admission;
  // The transport's count of open sockets: this endpoint adds itself on open and removes itself once.
  private final AtomicInteger openSockets;
  private final AtomicBoolean counted = new AtomicBoolean();
  private @Nullable WsConnection connection;
  private @Nullable Session session;
  private @Nullable BinaryAssembly pendingBinary;
  private @Nullable Disposable heartbeat;
  private volatile @Nullable Disposable pongDeadline;

  EngineIoEndpoint(WebSocketTransportConfig config, TransportContext context, SocketIoCodec codec,
                   ConnectionInfo info, AtomicInteger openSockets, Admission admission) {
    this.admission = admission;
    this.config = config;
    this.context = context;
    this.codec = codec;
    this.info = info;
    this.openSockets = openSockets;
  }

  @Override
  public void onOpen(jakarta.websocket.Session socket, EndpointConfig endpointConfig) {
    if (counted.compareAndSet(false, true)) {
      openSockets.incrementAndGet();
    }
    socket.setMaxTextMessageBufferSize(config.maxPayload());
    socket.setMaxBinaryMessageBufferSize(config.maxPayload());
    socket.setMaxIdleTimeout(config.pingInterval().plus(config.pingTimeout()).toMillis() + 5_000);
    WsConnection wire = new WsConnection(socket, codec);
    Session opened;
    try {
      opened = context.open(wire, info, admission);
    } catch (IllegalStateException e) {
      wire.close(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
      return;
    }
    this.connection = wire;
    this.session = opened;
    wire.sendControl("0{\"sid\":\"" + opened.id() + "\",\"upgrades\":[],\"pingInterval\":"
        + config.pingInterval().toMillis() + ",\"pingTimeout\":" + config.pingTimeout().toMillis()
        + ",\"maxPayload\":" + config.maxPayload() + "}");
    socket.addMessageHandler(String.class, (MessageHandler.Whole<String>) this::onText);
    socket.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) this::onBinary);
    long interval = config.pingInterval().toMillis();
    heartbeat = context.scheduler().schedulePeriodically(this::ping, interval, interval, TimeUnit.MILLISECONDS);
  }

  private void ping() {
    WsConnection wire = connection;
    if (wire == null || pongDeadline != null) {
      return;
    }
    pongDeadline = context.scheduler().schedule(() -> {
      log.debug("session {}: no pong within {} ms", session == null ? "?" : session.id(),
          config.pingTimeout().toMillis());
      fail(DisconnectReason.PING_TIMEOUT);
    }, config.pingTimeout().toMillis(), TimeUnit.MILLISECONDS);
    wire.sendControl("2");
  }

  private void onText(String text) {
    Session current = session;
    if (current == null) {
      return;
    }
    try {
      if (text.isEmpty()) {
        throw new ProtocolException("empty Engine.IO packet");
      }
      switch (text.charAt(0)) {
        case '4' -> {
          if (pendingBinary != null) {
            throw new ProtocolException("text frame while binary attachments are pending");
          }
          Object decoded = codec.decode(text.substring(1));
          if (decoded instanceof Packet packet) {
            current.receive(packet);
          } else {
            pendingBinary = (BinaryAssembly) decoded;
          }
        }
        case '3' -> {
          Disposable deadline = pongDeadline;
          pongDeadline = null;
          if (deadline != null) {
            deadline.dispose();
          }
        }
        case '2' -> connection.sendControl("3" + text.substring(1));
        case '1' -> fail(DisconnectReason.TRANSPORT_CLOSE);
        case '6' -> { }
        default -> throw new ProtocolException("unknown Engine.IO packet type " + text.charAt(0));
      }
    } catch (ProtocolException e) {
      log.debug("session {}: {}; closing", current.id(), LogSafe.text(e.getMessage()));
      fail(DisconnectReason.PARSE_ERROR);
    }
  }

  private void onBinary(ByteBuffer buffer) {
    Session current = session;
    if (current == null) {
      return;
    }
    BinaryAssembly assembly = pendingBinary;
    try {
      if (assembly == null) {
        throw new ProtocolException("binary frame with no pending attachment");
      }
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      Packet packet = assembly.add(bytes);
      if (packet != null) {
        pendingBinary = null;
        current.receive(packet);
      }
    } catch (ProtocolException e) {
      log.debug("session {}: {}; closing", current.id(), LogSafe.text(e.getMessage()));
      fail(DisconnectReason.PARSE_ERROR);
    }
  }

  private void fail(DisconnectReason reason) {
    Session current = session;
    WsConnection wire = connection;
    if (current != null) {
      current.closed(reason);
    }
    if (wire != null) {
      wire.close(reason);
    }
  }

  @Override
  public void onClose(jakarta.websocket.Session socket, CloseReason closeReason) {
    uncount();
    stopHeartbeat();
    // Also when onOpen never got a session (the server was closing); releasing twice is harmless.
    admission.release();
    Session current = session;
    if (current != null) {
      WsConnection wire = connection;
      current.closed(wire == null ? DisconnectReason.TRANSPORT_CLOSE : wire.closeReason());
    }
  }

  @Override
  public void onError(jakarta.websocket.Session socket, Throwable error) {
    log.debug("session {}: {}", session == null ? "?" : session.id(), error.toString());
    uncount();
    stopHeartbeat();
    admission.release();
    Session current = session;
    if (current != null) {
      current.closed(DisconnectReason.TRANSPORT_ERROR);
    }
  }

  private void uncount() {
    if (counted.compareAndSet(true, false)) {
      openSockets.decrementAndGet();
    }
  }

  private void stopHeartbeat() {
    Disposable beat = heartbeat;
    if (beat != null) {
      beat.dispose();
    }
    Disposable deadline = pongDeadline;
    if (deadline != null) {
      deadline.dispose();
    }
  }
}
