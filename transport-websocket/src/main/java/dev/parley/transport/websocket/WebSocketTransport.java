package dev.parley.transport.websocket;

import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.spi.Mount;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportContext;
import dev.parley.transport.websocket.internal.ClientScript;
import dev.parley.transport.websocket.internal.CoreRequests;
import dev.parley.transport.websocket.internal.Heartbeats;
import dev.parley.transport.websocket.internal.Polling;
import dev.parley.transport.websocket.internal.SocketIoServlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.websocket.server.ServerContainer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Socket.IO protocol v5 over Engine.IO v4, over WebSocket or HTTP long-polling. The official clients connect
 * with their default options (long-polling, then Engine.IO's upgrade to WebSocket) or
 * with {@code io(url, {transports: ["websocket"]})}. Every request of a polling session must reach this node.
 * Unless {@link WebSocketTransportConfig#serveClient()} is off, it also serves Parley's browser client beside
 * Engine.IO: {@code <path>socket.io.js} (a page's {@code <script src="/socket.io/socket.io.js">} defines the
 * global {@code io}), {@code <path>socket.io.min.js} and the TypeScript declarations {@code <path>socket.io.d.ts},
 * with an ETag, {@code Cache-Control: public, max-age=86400} and gzip when the client accepts it.
 *
 * <p>The embedded host mounts it by itself. To serve it from a Servlet 6 container you already run
 * (Tomcat 11, Jetty 12; in Spring Boot 4 the starter does it), start the server without a host and mount
 * the transport while the container initialises (in a {@code ServletContainerInitializer} or Spring's
 * {@code ServletContextInitializer}):
 *
 * <pre>{@code
 * WebSocketTransport websocket = new WebSocketTransport(WebSocketTransportConfig.defaults());
 * ChatServer server = ChatServer.builder().transport(websocket).host("none").start();
 * websocket.mount(servletContext);
 * }</pre>
 *
 * <p>Close codes it uses: 1002 for a protocol violation (malformed or unknown packet, a binary frame
 * nobody announced, more than 64 attachments, placeholders that are not each attachment exactly once, the
 * attachments of a binary packet not all arrived within {@code attachmentTimeout}, an ack id never issued or
 * beyond a {@code long}, JSON nested deeper than 64 levels, an event name that is not a string, a namespace
 * longer than 128 characters, a ping whose payload is longer than 16 characters), 1009 for a frame over
 * {@code maxPayload}, a binary packet (text and attachments) over {@code maxPayload}, or a frame or its
 * attachments that would hold more than {@code ChatServerConfig.maxInboundBytes} (checked before the JSON is
 * parsed), 1008 for a slow consumer (its outbound buffer full, in packets or bytes, pongs included), 1001 when
 * the server shuts down or a pong is late, 1011 when the server fails on its own (an error encoding or writing,
 * or handling a frame; logged once at WARN), 1000 otherwise (a socket that joins no namespace within
 * {@code ChatServerConfig.connectTimeout} gets 1000 "forced server close"). The container itself closes with
 * 1007 a text frame, or a close frame's reason, that is not UTF-8. A forbidden {@code Origin} gets 403 before
 * the upgrade, an upgrade without {@code Sec-WebSocket-Version: 13} or without a {@code Sec-WebSocket-Key}
 * gets {@code 400 {"code":3,"message":"Bad request"}}, and a remote address that already holds
 * {@code ChatServerConfig.maxConnectionsPerAddress} connections gets
 * {@code 429 {"code":4,"message":"Too many connections"}}. Events refused by the rate limit or the inbound
 * byte budget are answered by the engine ({@code {"error":"rate limited"}}, {@code {"error":"server busy"}}
 * acks, a CONNECT_ERROR for a CONNECT); the connection stays. An event with a name Socket.IO reserves
 * ({@code connect}, {@code connect_error}, {@code disconnect}, {@code disconnecting}, {@code newListener},
 * {@code removeListener}) or with control characters in its name is dropped with a debug log and gets no
 * ack; the connection stays open, since no Socket.IO client sends one by mistake and nothing is gained by
 * closing. Over long-polling the same causes end the session (a held {@code GET} then gets the close packet),
 * and requests are answered with Engine.IO's JSON errors: 400 with code 0 (transport unknown), 1 (session id
 * unknown or ended), 2 (a handshake not by {@code GET}), 3 (a second concurrent {@code GET} or {@code POST},
 * which also ends the session; a {@code POST} with a packet that ends it, or a body over
 * {@code ChatServerConfig.maxInboundBytes}), 5 (not {@code EIO=4}), 413 for a {@code POST} body over
 * {@code maxPayload}, and 503 for a {@code POST} body the inbound budget has no room for as it is read (the
 * session ends). Client-supplied strings in log lines are escaped. Thread-safe.
 */
public final class WebSocketTransport implements Transport {
  /** The transport's name. */
  public static final String NAME = "websocket";

  /**
   * The system property that, set to {@code true}, keeps the transport on the portable Jakarta WebSocket path
   * inside Jetty too: upgrades through the servlet and Jakarta WebSocket, writes through the Jakarta session.
   */
  public static final String PORTABLE_PROPERTY = "parley.websocket.portable";

  private final WebSocketTransportConfig config;
  private final String clientResource;
  private volatile @Nullable TransportContext context;
  private volatile @Nullable SocketIoCodec codec;
  private final AtomicInteger openSockets = new AtomicInteger();
  private volatile @Nullable Polling polling;
  private volatile boolean coreRequests;

  public WebSocketTransport(WebSocketTransportConfig config) {
    this(config, ClientScript.SCRIPT);
  }

  // Tests serve a fixture script from their own class path.
  WebSocketTransport(WebSocketTransportConfig config, String clientResource) {
    this.config = Objects.requireNonNull(config, "config");
    this.clientResource = clientResource;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The transport's config. */
  public WebSocketTransportConfig config() {
    return config;
  }

  @Override
  public Mono<Void> start(TransportContext context) {
    this.context = Objects.requireNonNull(context, "context");
    this.codec = new SocketIoCodec(context.jsonMapper());
    return Mono.empty();
  }

  /**
   * Registers the transport's servlet in the host's Servlet context ({@link #mount(ServletContext)}); where the host
   * also offers a place for Jetty core handlers ahead of that context (Parley's Jetty host does, unless the
   * application added servlet filters, which must see every request), fresh WebSocket upgrades, polling handshakes
   * and live polling sessions' long-polls and posts are taken there, without the Servlet layer, and the servlet
   * answers the rest. {@value #PORTABLE_PROPERTY}{@code =true} keeps every request on the servlet (and the portable
   * Jakarta WebSocket path).
   *
   * @throws IllegalStateException if the server has not started the transport, or the host has no Servlet context
   */
  @Override
  public void mount(Mount mount) {
    ServletContext servletContext = mount.require(ServletContext.class);
    mount(servletContext);
    if (Boolean.getBoolean(PORTABLE_PROPERTY)) {
      return;
    }
    try {
      coreRequests = CoreRequests.mount(mount, servletContext, config, Objects.requireNonNull(context),
          Objects.requireNonNull(codec), openSockets, Objects.requireNonNull(polling));
    } catch (LinkageError e) {
      // Not all of Jetty's classes are there: the servlet takes every request.
      coreRequests = false;
    }
  }

  /**
   * Whether fresh WebSocket upgrades and polling requests are taken on Jetty's core API ahead of the Servlet context
   * rather than by the servlet (for tests and diagnostics).
   */
  public boolean coreRequests() {
    return coreRequests;
  }

  /**
   * Registers the transport's servlet at {@link WebSocketTransportConfig#path()} in a Servlet 6 context whose
   * container has Jakarta WebSocket 2.1. Call after the server has started, while the context is initialising:
   * in a {@code ServletContainerInitializer}, a Spring {@code ServletContextInitializer}, or before the context
   * starts. The container's {@link ServerContainer} need not exist yet: the servlet looks it up when it starts,
   * after every initializer has run, so the order in which a container runs its initializers does not matter
   * (Tomcat runs its WebSocket initializer after Spring Boot's). Call on the thread that initialises the context.
   *
   * @throws IllegalStateException if the server has not started the transport, or the context has already
   *     started (the Servlet API then refuses new servlets)
   */
  public void mount(ServletContext servletContext) {
    TransportContext started = context;
    SocketIoCodec startedCodec = codec;
    if (started == null || startedCodec == null) {
      throw new IllegalStateException("start the ChatServer before mounting its WebSocket transport");
    }
    Polling sessions = new Polling(config, started, startedCodec, new Heartbeats(started.scheduler(),
        config.pingInterval().toMillis(), config.pingTimeout().toMillis()));
    polling = sessions;
    ServletRegistration.Dynamic registration = servletContext.addServlet("parley-socket.io",
        new SocketIoServlet(config, started, startedCodec, openSockets, sessions,
            config.serveClient() ? new ClientScript(clientResource, ClientScript.TYPES) : null));
    // Started with the context, after every initializer: a missing WebSocket container then fails the start
    // rather than the first request.
    registration.setLoadOnStartup(1);
    // Long-polls are held and POST bodies read with Servlet async I/O, holding no thread.
    registration.setAsyncSupported(true);
    registration.addMapping(config.path() + "*");
  }

  /**
   * {@code "sockets"}: the WebSockets open now, counted from the upgrade to the close, whether or not the
   * client has connected to a namespace; {@code "polling"}: the sessions opened by HTTP long-polling open now,
   * from the handshake to the close, those since upgraded to a WebSocket included; {@code "heldPolls"}: the
   * long-poll {@code GET}s among them held open now, each occupying an HTTP connection until the server has
   * something to send; {@code "bodies"}: the polling {@code POST}s whose body is being read.
   */
  @Override
  public Map<String, Integer> stats() {
    Polling sessions = polling;
    return Map.of("sockets", openSockets.get(), "polling", sessions == null ? 0 : sessions.sessions(),
        "heldPolls", sessions == null ? 0 : sessions.heldPolls(), "bodies", sessions == null ? 0 : sessions.bodies());
  }

  @Override
  public Mono<Void> stop() {
    context = null;
    return Mono.empty();
  }
}
