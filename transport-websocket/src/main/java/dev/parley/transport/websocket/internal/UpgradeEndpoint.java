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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket taking a live {@link PollingSession} over (Engine.IO v4's upgrade): it answers the client's
 * {@code 2probe} with {@code 3probe}, and on the client's {@code 5} becomes the session's outbound; from then on
 * its frames go to the session's {@link EngineIoPackets}. Closed before {@code 5}, it leaves the session on
 * polling. It is made only for a session it {@linkplain PollingSession#claim claimed}, and gives the claim back
 * when it closes before the upgrade. The session keeps the admission it was opened with. The container calls its handlers one at a time.
 */
public final class UpgradeEndpoint extends Endpoint {
  private static final Logger log = LoggerFactory.getLogger(UpgradeEndpoint.class);

  private final WebSocketTransportConfig config;
  private final SocketIoCodec codec;
  private final PollingSession session;
  private final AtomicInteger openSockets;
  // Touched by the container's handler calls only, one at a time.
  private @Nullable WsConnection connection;
  private boolean probed;
  private volatile boolean upgraded;

  UpgradeEndpoint(WebSocketTransportConfig config, SocketIoCodec codec, PollingSession session,
                  AtomicInteger openSockets) {
    this.config = config;
    this.codec = codec;
    this.session = session;
    this.openSockets = openSockets;
  }

  @Override
  public void onOpen(jakarta.websocket.Session socket, EndpointConfig endpointConfig) {
    openSockets.incrementAndGet();
    socket.setMaxTextMessageBufferSize(config.maxPayload());
    socket.setMaxBinaryMessageBufferSize(config.maxPayload());
    socket.setMaxIdleTimeout(config.pingInterval().plus(config.pingTimeout()).toMillis() + 5_000);
    connection = new WsConnection(socket, codec);
    socket.addMessageHandler(String.class, (MessageHandler.Whole<String>) this::onText);
    socket.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) this::onBinary);
  }

  private void onText(String text) {
    WsConnection current = connection;
    if (current == null) {
      return;
    }
    if (upgraded) {
      session.packets().onText(text);
    } else if (!probed && "2probe".equals(text)) {
      if (!session.probe()) {
        current.close(CloseReason.CloseCodes.VIOLATED_POLICY, "session not upgradable");
        return;
      }
      probed = true;
      current.sendOpen("3probe");
    } else if (probed && "5".equals(text)) {
      if (session.upgrade(current)) {
        upgraded = true;
      } else {
        current.close(CloseReason.CloseCodes.GOING_AWAY, "session closed");
      }
    } else {
      log.debug("unexpected frame while probing; closing the probe");
      current.close(CloseReason.CloseCodes.PROTOCOL_ERROR, "bad probe");
    }
  }

  private void onBinary(ByteBuffer buffer) {
    if (upgraded) {
      session.packets().onBinary(buffer);
    } else if (connection != null) {
      connection.close(CloseReason.CloseCodes.PROTOCOL_ERROR, "bad probe");
    }
  }

  @Override
  public void onClose(jakarta.websocket.Session socket, CloseReason closeReason) {
    ended(DisconnectReason.TRANSPORT_CLOSE);
  }

  @Override
  public void onError(jakarta.websocket.Session socket, Throwable error) {
    log.debug("upgrade socket: {}", error.toString());
    ended(DisconnectReason.TRANSPORT_ERROR);
  }

  private void ended(DisconnectReason reason) {
    if (connection == null) {
      return;
    }
    WsConnection current = connection;
    connection = null;
    openSockets.decrementAndGet();
    if (upgraded) {
      DisconnectReason why = current.closeReason() == DisconnectReason.TRANSPORT_CLOSE ? reason
          : current.closeReason();
      session.fail(why);
    } else {
      // Probed or not, the claim it held goes: another socket may try.
      session.probeEnded();
    }
  }
}
