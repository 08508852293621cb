package dev.parley.transport.websocket.internal;

import dev.parley.protocol.LogSafe;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.spi.Admission;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.OriginPolicy;
import dev.parley.spi.TransportContext;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Engine.IO over HTTP: checks the request (origin, {@code transport}, {@code EIO}, method) and answers
 * Engine.IO's JSON errors, hands {@code transport=polling} requests to {@link Polling}, or upgrades a
 * {@code transport=websocket} handshake with the container's Jakarta WebSocket 2.1 {@code upgradeHttpToWebSocket}:
 * a new session, or with the {@code sid} of a live polling session, its upgrade ({@link UpgradeEndpoint}); inside
 * Jetty on Jetty's core WebSocket API instead ({@link CoreUpgrade}).
 * Polling answers carry CORS headers for a browser origin the policy allows: that origin with credentials, or
 * {@code *} without them when every origin is allowed.
 */
public final class SocketIoServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(SocketIoServlet.class);

  private final transient WebSocketTransportConfig config;
  private final transient TransportContext context;
  private final transient SocketIoCodec codec;
  // Looked up in init(): a container may publish its ServerContainer only after the initializer that mounted this
  // servlet has run (Tomcat's WebSocket initializer runs after Spring Boot's), and servlets start after them all.
  private transient @Nullable ServerContainer container;
  private final transient OriginPolicy origins;
  private final transient AtomicInteger openSockets;
  private final transient Polling polling;
  private final transient @Nullable ClientScript client;
  private transient @Nullable CoreUpgrade core;

  /**
   * {@code openSockets} is the transport's count of open sockets (WebSockets), which the endpoints keep;
   * {@code polling} the transport's long-polling sessions; {@code client} the browser client files, or null
   * when they are not served. Inside Jetty 12 (EE10) a fresh socket is upgraded on Jetty's core WebSocket API
   * ({@link CoreUpgrade}), as is the upgrade of a polling session, unless the system property
   * {@value WsConnection#PORTABLE_PROPERTY} is {@code true}; elsewhere through the context's Jakarta WebSocket
   * {@link ServerContainer}, which {@link #init()} looks up.
   */
  public SocketIoServlet(WebSocketTransportConfig config, TransportContext context, SocketIoCodec codec,
                         AtomicInteger openSockets, Polling polling, @Nullable ClientScript client) {
    this.config = config;
    this.context = context;
    this.codec = codec;
    this.origins = new OriginPolicy(config.allowedOrigins());
    this.openSockets = openSockets;
    this.polling = polling;
    this.client = client;
  }

  /**
   * Finds the context's WebSocket container, and inside Jetty its core upgrade.
   *
   * @throws ServletException if the context publishes no Jakarta WebSocket {@link ServerContainer}
   */
  @Override
  public void init() throws ServletException {
    ServletContext servletContext = getServletContext();
    Object published = servletContext.getAttribute(ServerContainer.class.getName());
    if (!(published instanceof ServerContainer serverContainer)) {
      throw new ServletException(missingContainer(servletContext));
    }
    container = serverContainer;
    core = coreUpgrade(servletContext);
  }

  /** The error for a context whose container publishes no Jakarta WebSocket server, naming what to add. */
  private static String missingContainer(ServletContext servletContext) {
    return "the servlet context has no Jakarta WebSocket ServerContainer (attribute " + ServerContainer.class.getName()
        + ") once it has started: " + servletContext.getServerInfo() + " needs its WebSocket support on the class "
        + "path (Tomcat: tomcat-embed-websocket; Jetty 12: jetty-ee10-websocket-jakarta-server and its "
        + "JakartaWebSocketServletContainerInitializer)";
  }

  private @Nullable CoreUpgrade coreUpgrade(ServletContext servletContext) {
    try {
      return CoreUpgrade.of(servletContext, config, context, codec, openSockets, polling.engineIo());
    } catch (LinkageError e) {
      // Not Jetty 12 EE10, or a trimmed one: the portable Jakarta path works anywhere.
      log.debug("Jetty's core WebSocket upgrade unavailable", e);
      return null;
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    // Before the Origin check: that check keeps other sites' pages from opening sessions in a user's name (with
    // their cookies); a public file grants nothing, and pages of any origin may include it (a module script or
    // `<script crossorigin>` sends an Origin, a plain `<script>` none).
    if (client != null && client.serves(request)) {
      client.serve(request, response);
      return;
    }
    if (!allowedOrigin(request)) {
      log.debug("forbidden origin {}", LogSafe.quote(request.getHeader("Origin")));
      error(response, 403, 4, "Forbidden");
      return;
    }
    if ("POST".equals(request.getMethod()) && isForm(request.getContentType())) {
      // Engine.IO posts text; for a form, getParameter below would read the whole body first, holding this
      // thread for as long as a client trickles it.
      error(response, 400, 3, "Bad request");
      return;
    }
    if (config.polling() && "polling".equals(request.getParameter("transport"))) {
      polling(request, response);
      return;
    }
    if (!"websocket".equals(request.getParameter("transport"))) {
      error(response, 400, 0, "Transport unknown");
      return;
    }
    if (!"4".equals(request.getParameter("EIO"))) {
      error(response, 400, 5, "Unsupported protocol version");
      return;
    }
    String sid = request.getParameter("sid");
    PollingSession upgrading = sid == null ? null : polling.upgradable(sid);
    if (sid != null && upgrading == null) {
      error(response, 400, 1, "Session ID unknown");
      return;
    }
    if (upgrading != null && !config.allowUpgrades()) {
      error(response, 400, 3, "Bad request");
      return;
    }
    if (!"GET".equals(request.getMethod())) {
      error(response, 400, 2, "Bad handshake method");
      return;
    }
    String upgrade = request.getHeader("Upgrade");
    if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
      error(response, 400, 3, "Bad request");
      return;
    }
    // RFC 6455 section 4.2.1: version 13 and a key. The container would answer anything else itself, Jetty with
    // an HTML 500 page and a stack trace in the log for every such request; this answer is Engine.IO's.
    String version = request.getHeader("Sec-WebSocket-Version");
    String key = request.getHeader("Sec-WebSocket-Key");
    if (!"13".equals(version == null ? null : version.trim()) || key == null || key.isBlank()) {
      log.debug("bad WebSocket upgrade: Sec-WebSocket-Version {}, {} Sec-WebSocket-Key", LogSafe.quote(version),
          key == null || key.isBlank() ? "no" : "a");
      // The version this server speaks, as RFC 6455 section 4.4 asks of a refusal.
      response.setHeader("Sec-WebSocket-Version", "13");
      error(response, 400, 3, "Bad request");
      return;
    }
    if (upgrading != null) {
      upgrade(request, response, upgrading);
      return;
    }
    Admission admission = context.admit(request.getRemoteAddr()).orElse(null);
    if (admission == null) {
      error(response, 429, 4, "Too many connections");
      return;
    }
    ConnectionInfo info = info(request);
    CoreUpgrade direct = core;
    if (direct != null && !Boolean.getBoolean(WsConnection.PORTABLE_PROPERTY)) {
      direct.open(request, response, info, admission);
      return;
    }
    AtomicBoolean created = new AtomicBoolean();
    ServerEndpointConfig endpoint = ServerEndpointConfig.Builder.create(EngineIoEndpoint.class, config.path())
        .configurator(new PlainConfigurator() {
          @Override
          public <T> T getEndpointInstance(Class<T> type) {
            created.set(true);
            return type.cast(new EngineIoEndpoint(config, context, codec, polling.engineIo(), info, openSockets,
                admission));
          }
        })
        .build();
    try {
      handOver(request, response, endpoint);
    } finally {
      // An endpoint, once made, gives the place back when its socket closes; without one nobody else would.
      if (!created.get()) {
        admission.release();
      }
    }
  }

  // The session keeps the admission it was opened with: its socket is not a second connection of the address.
  // One socket at a time may take a session over: a second one is refused here, before its upgrade.
  private void upgrade(HttpServletRequest request, HttpServletResponse response, PollingSession session)
      throws IOException {
    if (!session.claim()) {
      error(response, 400, 3, "Bad request");
      return;
    }
    CoreUpgrade direct = core;
    if (direct != null && !Boolean.getBoolean(WsConnection.PORTABLE_PROPERTY)) {
      direct.probe(request, response, session);
      return;
    }
    AtomicBoolean created = new AtomicBoolean();
    ServerEndpointConfig endpoint = ServerEndpointConfig.Builder.create(UpgradeEndpoint.class, config.path())
        .configurator(new PlainConfigurator() {
          @Override
          public <T> T getEndpointInstance(Class<T> type) {
            created.set(true);
            return type.cast(new UpgradeEndpoint(config, codec, session, openSockets));
          }
        })
        .build();
    try {
      handOver(request, response, endpoint);
    } finally {
      // An endpoint, once made, gives the claim back when its socket closes before the upgrade.
      if (!created.get()) {
        session.probeEnded();
      }
    }
  }

  // Switches the request to a WebSocket served by the endpoint; a refusal from the container gets Engine.IO's 400.
  private void handOver(HttpServletRequest request, HttpServletResponse response, ServerEndpointConfig endpoint)
      throws IOException {
    try {
      Objects.requireNonNull(container, "init() not called").upgradeHttpToWebSocket(request, response, endpoint,
          Map.of());
    } catch (DeploymentException e) {
      log.debug("upgrade failed", e);
      if (!response.isCommitted()) {
        error(response, 400, 3, "Bad request");
      }
    }
  }

  private void polling(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String origin = request.getHeader("Origin");
    if (origin != null) {
      boolean credentials = origins.withCredentials(origin);
      response.setHeader("Access-Control-Allow-Origin", credentials ? origin : "*");
      if (credentials) {
        response.setHeader("Access-Control-Allow-Credentials", "true");
        response.setHeader("Vary", "Origin");
      }
    }
    if ("OPTIONS".equals(request.getMethod())) {
      response.setHeader("Access-Control-Allow-Methods", "GET, POST");
      String headers = request.getHeader("Access-Control-Request-Headers");
      if (headers != null) {
        response.setHeader("Access-Control-Allow-Headers", headers);
      }
      response.setStatus(204);
      return;
    }
    if (!"4".equals(request.getParameter("EIO"))) {
      error(response, 400, 5, "Unsupported protocol version");
      return;
    }
    polling.handle(request, response);
  }

  private static boolean isForm(@Nullable String contentType) {
    return contentType != null
        && contentType.trim().toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
  }

  private boolean allowedOrigin(HttpServletRequest request) {
    return origins.allows(request.getHeader("Origin"), request.getScheme(), request.getServerName(),
        request.getServerPort());
  }

  private static ConnectionInfo info(HttpServletRequest request) {
    return info(request, "websocket");
  }

  /** The request as the engine sees it, for a connection over {@code transport}. */
  static ConnectionInfo info(HttpServletRequest request, String transport) {
    return ConnectionInfo.http(transport, request.getRemoteAddr() + ":" + request.getRemotePort(),
        request.getRequestURI(), Collections.list(request.getHeaderNames()),
        name -> Collections.list(request.getHeaders(name)), request.getParameterMap());
  }


  /** Answers Engine.IO's JSON error {@code {"code":…,"message":…}} with {@code status}. */
  static void error(HttpServletResponse response, int status, int code, String message) throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    byte[] body = ("{\"code\":" + code + ",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }


  /**
   * Answers every handshake question itself. The API's default methods ask the container's default
   * configurator, which jakarta.websocket-api looks up with a ServiceLoader on every call: a scan of the
   * class path per upgrade, a visible share of the connect profile. The answers are the ones this
   * transport wants anyway: the Origin was checked by the servlet, Socket.IO uses no subprotocol, and no
   * extension, so no permessage-deflate (as Socket.IO's own default: compressing per connection would undo
   * encoding a broadcast once).
   */
  private abstract static class PlainConfigurator extends ServerEndpointConfig.Configurator {
    @Override
    public boolean checkOrigin(String originHeaderValue) {
      return true;
    }

    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
      return "";
    }

    @Override
    public List<Extension> getNegotiatedExtensions(
        List<Extension> installed, List<Extension> requested) {
      return List.of();
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request,
                                HandshakeResponse response) {
    }
  }
}
