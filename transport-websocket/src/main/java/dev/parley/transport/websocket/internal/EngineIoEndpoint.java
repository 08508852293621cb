package dev.parley.transport.websocket.internal;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.socketio.OpenPacket;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.spi.Admission;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Session;
import dev.parley.spi.TransportContext;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO v4 connection over WebSocket: the open packet, then each frame handed to the session's
 * {@link EngineIoPackets} (heartbeats, Socket.IO packets in; out through the engine and a {@link WsConnection}).
 * The container calls its handlers one at a time.
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
  private final EngineIoPackets packets;
  private @Nullable WsConnection connection;

  EngineIoEndpoint(WebSocketTransportConfig config, TransportContext context, SocketIoCodec codec,
                   EngineIo engineIo, ConnectionInfo info, AtomicInteger openSockets, Admission admission) {
    this.admission = admission;
    this.config = config;
    this.context = context;
    this.codec = codec;
    this.info = info;
    this.openSockets = openSockets;
    this.packets = new EngineIoPackets(engineIo);
  }

  @Override
  public void onOpen(jakarta.websocket.Session socket, EndpointConfig endpointConfig) {
    if (counted.compareAndSet(false, true)) {
      openSockets.incrementAndGet();
    }
    socket.setMaxTextMessageBufferSize(config.maxPayload());
    socket.setMaxBinaryMessageBufferSize(config.maxPayload());
    socket.setMaxIdleTimeout(config.pingInterval().plus(config.pingTimeout()).toMillis() + 5_000);
    WsConnection connection = new WsConnection(socket, codec);
    Session opened;
    try {
      opened = context.open(connection, info, admission);
    } catch (IllegalStateException e) {
      connection.close(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
      return;
    }
    this.connection = connection;
    // Direct, not through the engine's outbound buffer: it is small, sent once, and nothing can be queued
    // before it (no handler is registered yet, so the client has not been heard).
    connection.sendOpen("0" + new OpenPacket(opened.id(), List.of(), config.pingInterval().toMillis(),
        config.pingTimeout().toMillis(), config.maxPayload()).encode());
    packets.start(opened, connection);
    socket.addMessageHandler(String.class, (MessageHandler.Whole<String>) packets::onText);
    socket.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) packets::onBinary);
  }

  @Override
  public void onClose(jakarta.websocket.Session socket, CloseReason closeReason) {
    uncount();
    packets.stop();
    // Also when onOpen never got a session (the server was closing); releasing twice is harmless.
    admission.release();
    Session current = packets.session();
    if (current != null) {
      int code = closeReason != null ? closeReason.getCloseCode().getCode() : 0;
      current.closed(WsConnection.closeReason(connection, code));
    }
  }

  @Override
  public void onError(jakarta.websocket.Session socket, Throwable error) {
    Session current = packets.session();
    log.debug("session {}: {}", current == null ? "?" : current.id(), error.toString());
    uncount();
    packets.stop();
    admission.release();
    if (current != null) {
      // Jetty reports a frame over maxPayload or a text that is not UTF-8 here, before it closes the socket.
      current.closed(WsConnection.containerReason(WsConnection.containerCloseCode(error),
          DisconnectReason.TRANSPORT_ERROR));
    }
  }

  private void uncount() {
    if (counted.compareAndSet(true, false)) {
      openSockets.decrementAndGet();
    }
  }
}
