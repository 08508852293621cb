package dev.parley.bench.reliability;

import dev.parley.host.jetty.JettyHostConfig;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;
import org.jspecify.annotations.Nullable;

/**
 * The floor of issue 16: a bare Jetty 12 WebSocket echo server, with nothing of Parley's, so that
 * {@link IdleHeapTest} can tell which part of a connection's heap is Jetty's. One connector on 127.0.0.1 and
 * a free port, set up as the embedded host sets up its own where it matters per connection (no header field
 * cache, the host's idle timeout and thread pool sizes), and Jetty's core WebSocket API at
 * {@code /socket.io/} (the URL Parley serves, so that the request Jetty keeps is alike) with no extension
 * (so no permessage-deflate, as Parley) and Parley's WebSocket idle timeout. Each socket echoes its text
 * frames and nothing else. Thread-safe.
 */
final class BareJettyEcho implements AutoCloseable {
  private final Server jetty;
  private final ServerConnector connector;
  private final AtomicInteger open = new AtomicInteger();

  private BareJettyEcho(Server jetty, ServerConnector connector) {
    this.jetty = jetty;
    this.connector = connector;
  }

  /**
   * Starts the server.
   *
   * @throws Exception if Jetty does not start
   */
  static BareJettyEcho start() throws Exception {
    JettyHostConfig host = JettyHostConfig.defaults();
    QueuedThreadPool pool = new QueuedThreadPool(host.maxThreads(), host.minThreads());
    pool.setName("floor-jetty");
    Server jetty = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setHeaderCacheSize(0);
    ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    connector.setAcceptQueueSize(1024);
    connector.setIdleTimeout(host.idleTimeout().toMillis());
    jetty.addConnector(connector);
    BareJettyEcho echo = new BareJettyEcho(jetty, connector);
    WebSocketUpgradeHandler upgrade =
        new WebSocketUpgradeHandler(WebSocketServerComponents.ensureWebSocketComponents(jetty));
    // Parley's core path sets this idle timeout on each socket: beyond the heartbeat's own.
    WebSocketTransportConfig parley = WebSocketTransportConfig.defaults();
    Duration idle = parley.pingInterval().plus(parley.pingTimeout()).plusSeconds(5);
    upgrade.getConfiguration().setIdleTimeout(idle);
    upgrade.addMapping("/socket.io/", (request, response, callback) -> {
      response.setExtensions(List.of());
      return echo.new Echo();
    });
    jetty.setHandler(upgrade);
    jetty.start();
    return echo;
  }

  /** The port it listens on. */
  int port() {
    return connector.getLocalPort();
  }

  /** The WebSocket connections open now. */
  int openSockets() {
    return open.get();
  }

  @Override
  public void close() throws Exception {
    jetty.stop();
  }

  /** One socket: Jetty hands it a frame at a time, the next on demand, so its field needs no lock. */
  private final class Echo implements FrameHandler {
    private @Nullable CoreSession session;

    @Override
    public void onOpen(CoreSession opened, Callback callback) {
      session = opened;
      open.incrementAndGet();
      callback.succeeded();
      opened.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
      CoreSession current = session;
      if (current == null || frame.getOpCode() == OpCode.CLOSE) {
        // Jetty answers a close frame itself.
        callback.succeeded();
        return;
      }
      if (frame.getOpCode() == OpCode.TEXT) {
        // The payload is Jetty's until the callback: the echo gets a copy.
        current.sendFrame(new Frame(OpCode.TEXT, frame.isFin(), BufferUtil.copy(frame.getPayload())), Callback.NOOP,
            false);
      }
      callback.succeeded();
      current.demand();
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
      callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
      if (session != null) {
        session = null;
        open.decrementAndGet();
      }
      callback.succeeded();
    }
  }
}
