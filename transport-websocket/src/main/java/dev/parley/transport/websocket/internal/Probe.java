package dev.parley.transport.websocket.internal;

import dev.parley.protocol.DisconnectReason;
import jakarta.websocket.CloseReason;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket taking a live {@link PollingSession} over (Engine.IO v4's upgrade), whatever the container API
 * under it ({@link UpgradeEndpoint} on Jakarta, {@link CoreProbe} on Jetty's core API): it answers the client's
 * {@code 2probe} with {@code 3probe}, and on the client's {@code 5} becomes the session's outbound; from then on
 * its frames go to the session's {@link EngineIoPackets}. Closed before {@code 5}, it leaves the session on
 * polling. It is made only for a session it {@linkplain PollingSession#claim claimed}, and gives the claim back
 * when it closes before the upgrade. The session keeps the admission it was opened with. Its container calls
 * it one event at a time.
 */
final class Probe {
  private static final Logger log = LoggerFactory.getLogger(Probe.class);

  private final PollingSession session;
  private final AtomicInteger openSockets;
  private @Nullable WsConnection connection;
  private boolean probed;
  private volatile boolean upgraded;

  Probe(PollingSession session, AtomicInteger openSockets) {
    this.session = session;
    this.openSockets = openSockets;
  }

  /** The socket is open and writes through {@code socket}. */
  void opened(WsConnection socket) {
    openSockets.incrementAndGet();
    connection = socket;
  }

  /** A text message from the client. */
  void onText(String text) {
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

  /** A binary message from the client. */
  void onBinary(ByteBuffer buffer) {
    if (upgraded) {
      session.packets().onBinary(buffer);
    } else if (connection != null) {
      connection.close(CloseReason.CloseCodes.PROTOCOL_ERROR, "bad probe");
    }
  }

  /** The socket has closed ({@code TRANSPORT_CLOSE}) or failed ({@code TRANSPORT_ERROR}); once only counts. */
  void ended(DisconnectReason reason) {
    WsConnection current = connection;
    if (current == null) {
      return;
    }
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
