package dev.parley.transport.websocket.internal;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.socketio.OpenPacket;
import dev.parley.spi.Admission;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Session;
import jakarta.websocket.CloseReason;
import java.nio.ByteBuffer;
import java.util.List;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO v4 connection on Jetty's core WebSocket API: what {@link EngineIoEndpoint} does on the Jakarta
 * path (the open packet, then each message handed to the session's {@link EngineIoPackets}), with the least
 * state per connection: the shared {@link CoreUpgrade} for everything every connection has in common.
 */
final class CoreEndpoint extends CoreFrames {
  private static final Logger log = LoggerFactory.getLogger(CoreEndpoint.class);

  private final ConnectionInfo info;
  // This socket's place in its address's connection limit; the engine session releases it when it ends.
  private final Admission admission;
  private final EngineIoPackets packets;

  CoreEndpoint(CoreUpgrade shared, ConnectionInfo info, Admission admission) {
    super(shared);
    this.info = info;
    this.admission = admission;
    this.packets = new EngineIoPackets(shared.engineIo);
  }

  @Override
  boolean opened(CoreSession session) {
    shared.openSockets.incrementAndGet();
    WsConnection opening = new WsConnection(broken -> JettySocketWriter.of(session, broken), shared.codec);
    Session opened;
    try {
      opened = shared.context.open(opening, info, admission);
    } catch (IllegalStateException e) {
      opening.close(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
      return false;
    }
    // Direct, not through the engine's outbound buffer: it is small, sent once, and nothing can be queued
    // before it (no frame has been read yet, so the client has not been heard).
    opening.sendOpen("0" + new OpenPacket(opened.id(), List.of(), shared.config.pingInterval().toMillis(),
        shared.config.pingTimeout().toMillis(), shared.config.maxPayload()).encode());
    packets.start(opened, opening);
    return true;
  }

  @Override
  void onText(String text) {
    packets.onText(text);
  }

  @Override
  void onBinary(ByteBuffer bytes) {
    packets.onBinary(bytes);
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
    if (end()) {
      shared.openSockets.decrementAndGet();
    }
    packets.stop();
    // Also when the engine refused the session (the server was closing); releasing twice is harmless.
    admission.release();
    Session current = packets.session();
    if (current != null) {
      // The carrier the packets were started with is this socket's WsConnection.
      current.closed(WsConnection.closeReason((WsConnection) packets.carrier(),
          closeStatus != null ? closeStatus.getCode() : 0));
    }
    callback.succeeded();
  }
}
