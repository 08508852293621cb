package dev.parley.transport.websocket.internal;

import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.spi.Admission;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.TransportContext;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletCoreRequest;
import org.eclipse.jetty.ee10.servlet.ServletCoreResponse;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.FutureCallback;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.eclipse.jetty.websocket.core.server.Handshaker;
import org.eclipse.jetty.websocket.core.server.WebSocketNegotiator;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.jspecify.annotations.Nullable;

/**
 * The WebSocket upgrade on Jetty's core WebSocket API, inside Jetty 12 (EE10), of a fresh Engine.IO session or
 * of a polling session's probe: one {@link CoreEndpoint} or {@link CoreProbe} per connection and nothing else of the transport's per socket (no Jakarta session with its
 * encoders and decoders, no endpoint config per upgrade, no reference to the HTTP request once upgraded). What
 * every connection shares (the handshaker, Jetty's components, the session settings) is made once, here.
 * Thread-safe. Only the Core* classes name Jetty's server types; the transport makes it only
 * when they load, and in any other container upgrades through Jakarta WebSocket.
 */
final class CoreUpgrade {
  final WebSocketTransportConfig config;
  final TransportContext context;
  final SocketIoCodec codec;
  // The transport's count of open sockets: each endpoint adds itself on open and removes itself on close.
  final AtomicInteger openSockets;
  final EngineIo engineIo;
  private final WebSocketComponents components;
  private final Handshaker handshaker = Handshaker.newInstance();
  private final Configuration.Customizer settings;

  private CoreUpgrade(WebSocketTransportConfig config, TransportContext context, SocketIoCodec codec,
                      AtomicInteger openSockets, EngineIo engineIo, WebSocketComponents components) {
    this.config = config;
    this.context = context;
    this.codec = codec;
    this.openSockets = openSockets;
    this.engineIo = engineIo;
    this.components = components;
    // The same limits the Jakarta path sets on each session: messages up to maxPayload (enforced by the endpoint,
    // which assembles them), and an idle timeout beyond the heartbeat's own.
    Duration idle = config.pingInterval().plus(config.pingTimeout()).plusSeconds(5);
    long maxPayload = config.maxPayload();
    this.settings = configuration -> {
      configuration.setIdleTimeout(idle);
      configuration.setMaxTextMessageSize(maxPayload);
      configuration.setMaxBinaryMessageSize(maxPayload);
    };
  }

  /**
   * The core upgrade for {@code servletContext}, or null when it is not a Jetty 12 EE10 context.
   *
   * @throws LinkageError if only some of Jetty's classes are there (the caller then uses the portable path)
   */
  static @Nullable CoreUpgrade of(ServletContext servletContext, WebSocketTransportConfig config,
                                  TransportContext context, SocketIoCodec codec, AtomicInteger openSockets,
                                  EngineIo engineIo) {
    ServletContextHandler handler = ServletContextHandler.getServletContextHandler(servletContext);
    if (handler == null || handler.getServer() == null) {
      return null;
    }
    WebSocketComponents components = WebSocketServerComponents.ensureWebSocketComponents(handler.getServer(),
        handler);
    return new CoreUpgrade(config, context, codec, openSockets, engineIo, components);
  }

  /**
   * Upgrades the request to a WebSocket served by a new {@link CoreEndpoint}, and returns once the switch is
   * answered. The admission is released here if no endpoint was made (the endpoint releases it otherwise).
   */
  void open(HttpServletRequest request, HttpServletResponse response, ConnectionInfo info, Admission admission)
      throws IOException {
    boolean[] made = new boolean[1];
    try {
      upgrade(request, response, () -> {
        made[0] = true;
        return new CoreEndpoint(this, info, admission);
      });
    } finally {
      if (!made[0]) {
        admission.release();
      }
    }
  }

  /**
   * Upgrades the request to a WebSocket that takes the {@linkplain PollingSession#claim claimed} {@code session}
   * over ({@link CoreProbe}), and returns once the switch is answered. The claim is given back here if no probe
   * was made (the probe gives it back otherwise, when it closes before the upgrade).
   */
  void probe(HttpServletRequest request, HttpServletResponse response, PollingSession session) throws IOException {
    boolean[] made = new boolean[1];
    try {
      upgrade(request, response, () -> {
        made[0] = true;
        return new CoreProbe(this, session);
      });
    } finally {
      if (!made[0]) {
        session.probeEnded();
      }
    }
  }

  /**
   * Upgrades a core request ({@link CoreRequests}, ahead of the Servlet context) to a WebSocket served by a new
   * {@link CoreEndpoint}, without waiting: Jetty completes {@code callback} once the switch is answered.
   *
   * @return false if the handshaker would not upgrade the request (nothing is answered then, and the admission is
   *     released: the servlet answers the request)
   * @throws IOException if the handshaker failed (the admission is released)
   */
  boolean open(Request request, Response response, Callback callback, ConnectionInfo info, Admission admission)
      throws IOException {
    // The endpoint gives the place back when its socket closes; a switch that fails after the endpoint was made
    // (the client reset before the 101) never opens it, so the place is given back here too (release is
    // idempotent).
    Callback answered = Callback.from(callback::succeeded, failure -> {
      admission.release();
      callback.failed(failure);
    });
    boolean upgraded = false;
    try {
      upgraded = handshaker.upgradeRequest(negotiator(() -> new CoreEndpoint(this, info, admission)),
          UpgradeUri.of(request), response, answered, components, settings);
      return upgraded;
    } finally {
      if (!upgraded) {
        admission.release();
      }
    }
  }

  private void upgrade(HttpServletRequest request, HttpServletResponse response, Supplier<FrameHandler> handler)
      throws IOException {
    Request core = UpgradeUri.of(ServletCoreRequest.wrap(request));
    Response coreResponse = ServletCoreResponse.wrap(core, response, false);
    FutureCallback done = new FutureCallback();
    if (handshaker.upgradeRequest(negotiator(handler), core, coreResponse, done, components, settings)) {
      done.block();
    } else if (!response.isCommitted()) {
      SocketIoServlet.error(response, 400, 3, "Bad request");
    }
  }

  private static WebSocketNegotiator negotiator(Supplier<FrameHandler> handler) {
    return (upgradeRequest, upgradeResponse, callback) -> {
      // No extension (so no permessage-deflate, as Socket.IO's default: compressing per connection would undo
      // encoding a broadcast once) and no subprotocol.
      upgradeResponse.setExtensions(List.of());
      return handler.get();
    };
  }
}
