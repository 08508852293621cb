package dev.parley.transport.websocket.internal;

import dev.parley.protocol.DisconnectReason;
import java.nio.ByteBuffer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link Probe} of a live {@link PollingSession} on Jetty's core WebSocket API: no Jakarta session. */
final class CoreProbe extends CoreFrames {
  private static final Logger log = LoggerFactory.getLogger(CoreProbe.class);

  private final Probe probe;

  CoreProbe(CoreUpgrade shared, PollingSession session) {
    super(shared);
    this.probe = new Probe(session, shared.openSockets);
  }

  @Override
  boolean opened(CoreSession session) {
    probe.opened(new WsConnection(broken -> JettySocketWriter.of(session, broken), shared.codec));
    return true;
  }

  @Override
  void onText(String text) {
    probe.onText(text);
  }

  @Override
  void onBinary(ByteBuffer bytes) {
    probe.onBinary(bytes);
  }

  @Override
  public void onError(Throwable cause, Callback callback) {
    log.debug("upgrade socket: {}", cause.toString());
    probe.ended(DisconnectReason.TRANSPORT_ERROR);
    callback.succeeded();
  }

  @Override
  public void onClosed(CloseStatus closeStatus, Callback callback) {
    end();
    probe.ended(DisconnectReason.TRANSPORT_CLOSE);
    callback.succeeded();
  }
}
