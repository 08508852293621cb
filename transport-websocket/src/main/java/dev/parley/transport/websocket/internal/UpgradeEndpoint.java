package dev.parley.transport.websocket.internal;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Probe} of a live {@link PollingSession} on the portable Jakarta API: the upgrade of a polling
 * session in a container other than Jetty, or with {@value WsConnection#PORTABLE_PROPERTY}{@code =true}. The
 * container calls its handlers one at a time.
 */
public final class UpgradeEndpoint extends Endpoint {
  private static final Logger log = LoggerFactory.getLogger(UpgradeEndpoint.class);

  private final WebSocketTransportConfig config;
  private final SocketIoCodec codec;
  private final Probe probe;

  UpgradeEndpoint(WebSocketTransportConfig config, SocketIoCodec codec, PollingSession session,
                  AtomicInteger openSockets) {
    this.config = config;
    this.codec = codec;
    this.probe = new Probe(session, openSockets);
  }

  @Override
  public void onOpen(jakarta.websocket.Session socket, EndpointConfig endpointConfig) {
    socket.setMaxTextMessageBufferSize(config.maxPayload());
    socket.setMaxBinaryMessageBufferSize(config.maxPayload());
    socket.setMaxIdleTimeout(config.pingInterval().plus(config.pingTimeout()).toMillis() + 5_000);
    probe.opened(new WsConnection(socket, codec));
    socket.addMessageHandler(String.class, (MessageHandler.Whole<String>) probe::onText);
    socket.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) probe::onBinary);
  }

  @Override
  public void onClose(jakarta.websocket.Session socket, CloseReason closeReason) {
    probe.ended(DisconnectReason.TRANSPORT_CLOSE);
  }

  @Override
  public void onError(jakarta.websocket.Session socket, Throwable error) {
    log.debug("upgrade socket: {}", error.toString());
    probe.ended(DisconnectReason.TRANSPORT_ERROR);
  }
}
