package dev.parley.host.jetty;

import dev.parley.error.ParleyException;
import dev.parley.protocol.Checks;
import dev.parley.protocol.support.Lifecycle;
import dev.parley.spi.Host;
import dev.parley.spi.ProviderContext;
import dev.parley.spi.Transport;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.ee10.servlet.DefaultServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The embedded default host: Jetty 12 (EE10) listening on the server's
 * {@link dev.parley.ChatServerConfig#bindAddress() bindAddress} and
 * {@link dev.parley.ChatServerConfig#port() port}, with one Servlet context at {@code /} into which every
 * transport is {@linkplain Transport#mount mounted}, and optionally static files.
 *
 * <p>A transport's {@link dev.parley.spi.Mount#unwrap} gets the context's
 * {@code jakarta.servlet.ServletContext}, its {@code jakarta.websocket.server.ServerContainer} and
 * Jetty's {@code org.eclipse.jetty.server.Server}; a transport that only uses the first two runs
 * unchanged in any other Servlet 6 container. Unless the application added servlet filters (which must see
 * every request, the transports' included), it also gets an {@code org.eclipse.jetty.server.Handler.Sequence}
 * that Jetty asks ahead of the Servlet context (after the application's own handlers): a transport may add core
 * handlers there to serve its requests without the Servlet layer (the SSE transport serves its streams so).
 *
 * <p>A server finds this host by itself when the artifact is on the class path or module path (see
 * {@link JettyHostProvider}); to change its settings, give it one:
 *
 * <pre>{@code
 * ChatServer server = ChatServer.builder()
 *     .host(new JettyHost(JettyHostConfig.builder().staticResources("static/").build()))
 *     .config(c -> c.port(8080))
 *     .start();
 * }</pre>
 *
 * <h3>Slow and greedy clients</h3>
 * A TCP connection must deliver each request's complete headers within
 * {@link JettyHostConfig#requestHeaderTimeout()} (10 s by default), however slowly its bytes trickle in,
 * or it is closed; the request once handled, an SSE stream and a WebSocket are not subject to it. And one
 * remote address may hold at most {@link JettyHostConfig#maxConnectionsPerAddress()} TCP connections
 * (twice the server's {@code maxConnectionsPerAddress} by default), counted when accepted: one more is
 * closed at once, before a byte is read.
 *
 * <h3>Lifecycle</h3>
 * By the rules of {@link Lifecycle}: started at most once (starting a started host does nothing, a stopped
 * or failed one cannot be restarted), stopped idempotently. All of Jetty's threads are named
 * {@code parley-jetty-…}; none is left once {@link #stop} has completed. Thread-safe: {@link #start} and
 * {@link #stop} are serialised, {@link #address()} may be called from any thread.
 */
public final class JettyHost implements Host {
  private static final Logger log = LoggerFactory.getLogger(JettyHost.class);
  private static final int THREAD_IDLE_MILLIS = 60_000;
  /**
   * The part of a stop timeout kept for closing connections and ending threads (half of a short
   * timeout): Jetty gives its pool at least a second, half of it before interrupting busy threads.
   */
  private static final long HARD_STOP_MILLIS = 1_000;
  /** How long a stop waits for threads to end when the stop timeout is already spent. */
  private static final long JOIN_FLOOR_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How long a failed start waits for the threads it started to end. */
  private static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(5);
  /**
   * How long a graceful stop leaves a connection with no bytes moving before closing it (Jetty's default: 1 s).
   * By then the engine has closed its sockets and streams, and the stop has waited for requests being
   * handled; what is left is mostly clients' idle keep-alive connections, and a second for each stop is waste.
   */
  private static final long SHUTDOWN_IDLE_MILLIS = 100;

  private final JettyHostConfig config;
  private final HostLifecycle lifecycle = new HostLifecycle();
  private volatile @Nullable InetSocketAddress address;
  private volatile @Nullable AddressConnectionLimit addressLimit;
  private volatile @Nullable RequestHeaderDeadline headerDeadline;

  /** A host with the {@linkplain JettyHostConfig#defaults() default settings}. */
  public JettyHost() {
    this(JettyHostConfig.defaults());
  }

  /**
   * A host with these settings, not yet started.
   *
   * @throws NullPointerException if {@code config} is null
   */
  public JettyHost(JettyHostConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** The host's settings. */
  public JettyHostConfig config() {
    return config;
  }

  /**
   * Starts Jetty on {@code context.config().bindAddress()} and {@code port()} (0 for any free port),
   * mounts the transports in order, and serves the static resources if configured.
   *
   * <p>Nothing happens until the result is subscribed to; Jetty then starts on the subscribing thread,
   * which blocks until it is bound and every transport is mounted.
   *
   * @return completes once the host accepts connections; errors with a
   *     {@link ParleyException} if the port cannot be bound (the message names address and port), a
   *     transport fails to mount (the message names the transport), the static resources are not
   *     found, or Jetty fails to start. After an error every thread the host started has ended.
   *     Completes at once, doing nothing, if the host is started; errors with an
   *     {@link IllegalStateException} if it was stopped or failed to start.
   * @throws NullPointerException if an argument is null
   */
  @Override
  public Mono<Void> start(List<Transport> transports, ProviderContext context) {
    Plan plan = new Plan(List.copyOf(Objects.requireNonNull(transports, "transports")),
        Objects.requireNonNull(context, "context").config().bindAddress(), context.config().port(),
        config.connectionsPerAddress(context.config().maxConnectionsPerAddress()));
    return Mono.fromRunnable(() -> lifecycle.start(plan));
  }

  /**
   * Stops gracefully: stops accepting connections, lets requests in flight finish for at most
   * {@link JettyHostConfig#stopTimeout()} (capped a little below {@code timeout}), closes open WebSocket
   * sessions with 1001 (going away), then closes the remaining connections and joins Jetty's threads.
   * Stopping a host that is stopped, or was never started, does nothing.
   *
   * <p>Nothing happens until the result is subscribed to; the subscribing thread then blocks, normally
   * for no longer than {@code timeout}.
   *
   * @return completes once Jetty has stopped and its threads have ended; errors with a
   *     {@link ParleyException} if Jetty reported a failure while stopping or a thread outlived the stop
   * @throws NullPointerException if {@code timeout} is null
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  @Override
  public Mono<Void> stop(Duration timeout) {
    Checks.positive("timeout", timeout);
    return Mono.fromRunnable(() -> lifecycle.stop(timeout));
  }

  /**
   * The address the host is bound to, with the actual port when port 0 was asked for; empty before
   * the host has started and once it stops.
   */
  @Override
  public Optional<InetSocketAddress> address() {
    return Optional.ofNullable(address);
  }

  /** What a start was asked for: the transports to mount and where to listen. */
  private record Plan(List<Transport> transports, String bindAddress, int port, int perAddress) {
  }

  /**
   * Jetty's start and stop under the {@link Lifecycle} rules. The plan and the stop timeout are handed over
   * in fields because {@code doStart()} and {@code doStop()} take no arguments: the first start's plan is
   * the one used; of stops that race, the one that runs may use the other's timeout, both bounded.
   */
  private final class HostLifecycle extends Lifecycle {
    private final AtomicReference<@Nullable Plan> plan = new AtomicReference<>();
    private volatile Duration stopTimeout = CLEANUP_TIMEOUT;
    // Set and cleared by doStart and doStop, under the lifecycle's lock.
    private @Nullable Server server;
    private @Nullable HostThreads threads;

    HostLifecycle() {
      super("JettyHost");
    }

    void start(Plan asked) {
      plan.compareAndSet(null, asked);
      start();
    }

    void stop(Duration timeout) {
      stopTimeout = timeout;
      stop();
    }

    @Override
    protected void doStart() {
      Plan started = Objects.requireNonNull(plan.get());
      HostThreads created = new HostThreads(contextClassLoader());
      QueuedThreadPool pool = new QueuedThreadPool(config.maxThreads(), config.minThreads(),
          THREAD_IDLE_MILLIS, -1, null, null, created);
      pool.setName("parley-jetty");
      Server jetty = new Server(pool, new HostScheduler(created), null);
      threads = created;
      server = jetty;
      try {
        address = listen(jetty, started);
        log.debug("Jetty host listening on {}, transports mounted: {}", address,
            started.transports().stream().map(Transport::name).toList());
      } catch (IOException | RuntimeException e) {
        throw e instanceof ParleyException p ? p : startFailure(started.bindAddress(), started.port(), e);
      }
    }

    @Override
    protected void doStop() {
      release(stopTimeout);
    }

    @Override
    protected void abandonStart(Throwable failure) {
      release(CLEANUP_TIMEOUT);
    }

    private void release(Duration timeout) {
      address = null;
      Server jetty = server;
      HostThreads created = threads;
      server = null;
      threads = null;
      if (jetty != null && created != null) {
        stopJetty(jetty, created, timeout);
      }
    }
  }

  /** Configures the connector and the context, binds and starts Jetty; returns the bound address. */
  private InetSocketAddress listen(Server jetty, Plan plan) throws IOException {
    // Jetty's default HTTP/1.1 set-up, plus the deadline for a request's headers.
    RequestHeaderDeadline deadline =
        new RequestHeaderDeadline(jetty.getScheduler(), config.requestHeaderTimeout());
    HttpConfiguration httpConfig = new HttpConfiguration();
    httpConfig.addCustomizer(deadline);
    Tls tls = config.tls();
    if (tls != null) {
      httpConfig.setSecureScheme("https");
      httpConfig.addCustomizer(new SecureRequestCustomizer());
    }
    TrustedProxies proxies = TrustedProxies.parse(config.trustedProxies());
    if (!proxies.isEmpty()) {
      // After the TLS customizer: a proxy's word on the scheme wins over how the proxy itself connected.
      httpConfig.addCustomizer(new ForwardedHeaders(proxies));
    }
    // A keep-alive connection builds a cache of the header fields it has seen on its second request and keeps
    // it: close to 100 KiB for each polling session, whose GETs come again and again on one connection.
    httpConfig.setHeaderCacheSize(0);
    HttpConnectionFactory http = new HttpConnectionFactory(httpConfig);
    // On the factory, not the connector: only the HTTP/1.1 connections it makes are watched.
    http.addEventListener(deadline);
    ServerConnector connector = new HostConnector(jetty, connectionFactories(http, httpConfig, tls));
    AddressConnectionLimit limit = new AddressConnectionLimit(plan.perAddress(), proxies);
    connector.getSelectorManager().addEventListener(limit);
    headerDeadline = deadline;
    addressLimit = limit;
    connector.setHost(plan.bindAddress());
    connector.setPort(plan.port());
    // The kernel's default backlog (50) turns a burst of connects into 1 s SYN retransmits.
    connector.setAcceptQueueSize(1024);
    connector.setIdleTimeout(config.idleTimeout().toMillis());
    connector.setShutdownIdleTimeout(Math.min(SHUTDOWN_IDLE_MILLIS, config.idleTimeout().toMillis()));
    jetty.addConnector(connector);
    // Bind before anything starts, so that a taken port fails fast with a message about the port.
    open(connector, plan.bindAddress(), plan.port());
    AtomicReference<@Nullable ParleyException> mountFailure = new AtomicReference<>();
    // Where transports may serve their requests on Jetty's core API, ahead of the Servlet context: not offered when
    // the application has servlet filters, which must see every request (a filter on /* sees streams and polls).
    Handler.Sequence coreHandlers = new Handler.Sequence();
    boolean filters = config.routes().stream().anyMatch(JettyHostConfig.Route.FilterRoute.class::isInstance);
    // No GracefulHandler: the request-header deadline counts the requests in flight for the stop, without
    // wrapping each request (a held stream or long-poll would keep the wrappers for its lifetime).
    jetty.setHandler(new StopGate(withRoutes(coreHandlers,
        context(jetty, plan.transports(), filters ? null : coreHandlers, mountFailure)), deadline));
    try {
      jetty.start();
    } catch (Exception e) {
      ParleyException failure = mountFailure.get();
      throw failure != null ? failure : startFailure(plan.bindAddress(), plan.port(), e);
    }
    return (InetSocketAddress) ((ServerSocketChannel) connector.getTransport()).getLocalAddress();
  }

  /**
   * What the connector speaks: HTTP/1.1, with HTTP/2 beside it over TLS (h2 chosen by ALPN) unless turned off, and
   * in the clear (h2c) only when asked for.
   */
  private ConnectionFactory[] connectionFactories(HttpConnectionFactory http, HttpConfiguration httpConfig,
      @Nullable Tls tls) {
    if (tls == null) {
      if (!config.h2c()) {
        return new ConnectionFactory[] {http};
      }
      HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(httpConfig);
      h2c.setConnectProtocolEnabled(false);
      return new ConnectionFactory[] {http, h2c};
    }
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(tls.keyStore());
    ssl.setKeyStorePassword(tls.password());
    if (!config.http2()) {
      return new ConnectionFactory[] {new SslConnectionFactory(ssl, http.getProtocol()), http};
    }
    // HTTP/2 refuses the ciphers RFC 9113 lists: prefer the others, so a client offering both gets a good one.
    ssl.setCipherComparator(HTTP2Cipher.COMPARATOR);
    HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(httpConfig);
    // No WebSocket over HTTP/2 (RFC 8441): browsers would use it, and the upgrade path expects HTTP/1.1.
    h2.setConnectProtocolEnabled(false);
    ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(h2.getProtocol(), http.getProtocol());
    alpn.setDefaultProtocol(http.getProtocol());
    return new ConnectionFactory[] {new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, h2, http};
  }

  /**
   * The TCP connections each remote address holds to the host now, against the per-address limit;
   * addresses holding none are absent. Empty before the host starts. For tests and diagnostics.
   */
  Map<String, Integer> connectionsPerAddress() {
    AddressConnectionLimit limit = addressLimit;
    return limit == null ? Map.of() : limit.connections();
  }

  /** TCP connections refused so far for the per-address limit. */
  long connectionsRefused() {
    AddressConnectionLimit limit = addressLimit;
    return limit == null ? 0 : limit.refused();
  }

  /** HTTP connections waiting for a request's headers now, under the request-header deadline. */
  int connectionsWatched() {
    RequestHeaderDeadline deadline = headerDeadline;
    return deadline == null ? 0 : deadline.watched();
  }

  /** Whether the request-header deadline's sweep is scheduled now. */
  boolean headerSweepScheduled() {
    RequestHeaderDeadline deadline = headerDeadline;
    return deadline != null && deadline.sweeping();
  }

  private static ParleyException startFailure(String bindAddress, int port, Exception e) {
    return new ParleyException("Jetty host failed to start on " + bindAddress + ":" + port + ": " + e, e);
  }

  private static void open(ServerConnector connector, String bindAddress, int port) {
    try {
      connector.open();
    } catch (IOException | UnresolvedAddressException e) {
      String reason = e instanceof UnresolvedAddressException ? "the address does not resolve"
          : bindFailure(e);
      String hint = reason.contains("in use")
          ? " (is another server using the port? port 0 picks a free one)" : "";
      throw new ParleyException(
          "Jetty host cannot listen on " + bindAddress + ":" + port + ": " + reason + hint, e);
    }
  }

  private static String bindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException && t.getMessage() != null) {
        return t.getMessage();
      }
    }
    return String.valueOf(e.getMessage());
  }

  /** The Servlet context at {@code /}: the transports' mount point, and the static files if any. */
  private ServletContextHandler context(Server jetty, List<Transport> transports,
      Handler.@Nullable Sequence coreHandlers, AtomicReference<@Nullable ParleyException> mountFailure) {
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.setContextPath("/");
    StaticResources resources = config.staticResources();
    if (resources != null) {
      context.setBaseResource(resolve(resources, ResourceFactory.of(jetty)));
      context.setWelcomeFiles(new String[] {"index.html"});
      ServletHolder files = new ServletHolder("parley-static", DefaultServlet.class);
      files.setInitParameter("dirAllowed", "false");
      context.addServlet(files, "/");
    }
    // Runs while the context starts: the moment the Servlet spec allows adding servlets and endpoints.
    JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) -> {
      JettyMount mount = new JettyMount(servletContext, container, jetty, coreHandlers);
      for (Transport transport : transports) {
        try {
          transport.mount(mount);
        } catch (RuntimeException e) {
          ParleyException failure = new ParleyException("transport \"" + transport.name()
              + "\" failed to mount into the Jetty host: " + e.getMessage(), e);
          mountFailure.set(failure);
          throw failure;
        }
      }
      // After the transports, so that a route on one of their paths is found rather than silently winning.
      try {
        addRoutes(servletContext);
      } catch (ParleyException e) {
        mountFailure.set(e);
        throw e;
      }
    });
    return context;
  }

  /** The application's own servlets and filters. */
  private void addRoutes(ServletContext servletContext) {
    int n = 0;
    for (JettyHostConfig.Route route : config.routes()) {
      n++;
      if (route instanceof JettyHostConfig.Route.ServletRoute servlet) {
        ServletRegistration.Dynamic registration = servletContext.addServlet("app-servlet-" + n, servlet.servlet());
        registration.setAsyncSupported(true);
        Set<String> taken = registration.addMapping(servlet.pathSpec());
        if (!taken.isEmpty()) {
          throw new ParleyException("the application's servlet at \"" + servlet.pathSpec()
              + "\" is on a path the host already serves (a transport's, or the static files' \"/\"): " + taken);
        }
      } else if (route instanceof JettyHostConfig.Route.FilterRoute filter) {
        FilterRegistration.Dynamic registration = servletContext.addFilter("app-filter-" + n, filter.filter());
        // A filter without async support in front of SSE or a long-poll would make their startAsync fail.
        registration.setAsyncSupported(true);
        registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, filter.pathSpec());
      }
    }
  }

  /**
   * The application's own Jetty handlers in front of the context, in the order they were added, then the
   * transports' core handlers, then the context.
   */
  private Handler withRoutes(Handler.Sequence coreHandlers, ServletContextHandler context) {
    List<Handler> handlers = new ArrayList<>();
    for (JettyHostConfig.Route route : config.routes()) {
      if (route instanceof JettyHostConfig.Route.HandlerRoute handler) {
        handlers.add(handler.handler());
      }
    }
    handlers.add(coreHandlers);
    handlers.add(context);
    return new Handler.Sequence(handlers);
  }

  private static Resource resolve(StaticResources resources, ResourceFactory factory) {
    if (resources instanceof StaticResources.Directory directory) {
      if (!Files.isDirectory(directory.path())) {
        throw new ParleyException(
            "static resources directory not found: " + directory.path().toAbsolutePath());
      }
      return factory.newResource(directory.path());
    }
    String folder = ((StaticResources.Classpath) resources).folder();
    URL url = contextClassLoader().getResource(folder);
    if (url == null) {
      url = JettyHost.class.getClassLoader().getResource(folder);
    }
    if (url == null) {
      throw new ParleyException("static resources folder not found on the class path: \"" + folder + "\"");
    }
    return factory.newResource(url);
  }

  private static ClassLoader contextClassLoader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return loader != null ? loader : JettyHost.class.getClassLoader();
  }

  /** Stops Jetty within {@code timeout} and joins its threads; an error if either went wrong. */
  private void stopJetty(Server jetty, HostThreads created, Duration timeout) {
    long timeoutNanos = saturatedNanos(timeout);
    long deadline = System.nanoTime() + timeoutNanos;
    long graceful = gracefulMillis(timeoutNanos);
    long gracefulDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceful);
    awaitRequests(graceful);
    jetty.setStopTimeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(gracefulDeadline - System.nanoTime())));
    Exception failure = null;
    try {
      jetty.stop();
    } catch (TimeoutException e) {
      // The graceful part ran out and Jetty closed what was left: what a stop promises, not a failure.
      log.debug("Jetty host: requests or connections still open after {} ms were closed", graceful);
      if (e.getSuppressed().length > 0) {
        failure = e;
      }
    } catch (Exception e) {
      failure = e;
    }
    List<String> left = created.join(Math.max(deadline, System.nanoTime() + JOIN_FLOOR_NANOS));
    log.debug("Jetty host stopped{}", left.isEmpty() ? "" : "; threads still running: " + left);
    if (failure != null) {
      throw new ParleyException("Jetty host did not stop cleanly: " + failure, failure);
    }
    if (!left.isEmpty()) {
      throw new ParleyException("Jetty host stopped, but these threads did not end within "
          + timeout + ": " + left);
    }
  }

  /**
   * Waits, at most {@code millis}, for the requests being handled to end, before Jetty's stop applies its short
   * shutdown idle timeout to every connection: the engine has just closed its sessions, and their last answers (a
   * held long-poll's close packet, a stream's end) may still be being written on connections idle for longer than
   * that timeout, which would cut them mid-write (the client then sees a reset rather than the close).
   */
  private void awaitRequests(long millis) {
    RequestHeaderDeadline requests = headerDeadline;
    if (requests == null) {
      return;
    }
    try {
      if (!requests.awaitNoRequest(millis)) {
        log.debug("Jetty host: {} requests still being handled after {} ms", requests.requests(), millis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The graceful part of a stop: the configured stop timeout, but leaving part of the caller's
   * timeout (half, at most a second) for closing connections and ending threads.
   */
  private long gracefulMillis(long timeoutNanos) {
    long total = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
    long reserve = Math.min(total / 2, HARD_STOP_MILLIS);
    long configured = TimeUnit.NANOSECONDS.toMillis(saturatedNanos(config.stopTimeout()));
    return Math.max(1, Math.min(configured, total - reserve));
  }

  /** A duration in nanoseconds, capped at about a century so that deadlines cannot overflow. */
  private static long saturatedNanos(Duration duration) {
    long cap = TimeUnit.DAYS.toNanos(36_500);
    return duration.compareTo(Duration.ofNanos(cap)) > 0 ? cap : duration.toNanos();
  }

  /**
   * Answers 503 to a request that arrives once the stop waits for the requests in flight, as Jetty's
   * GracefulHandler did: what the engine still writes goes out, nothing new starts.
   */
  private static final class StopGate extends Handler.Wrapper {
    private final RequestHeaderDeadline requests;

    StopGate(Handler next, RequestHeaderDeadline requests) {
      super(next);
      this.requests = requests;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      if (requests.stopping()) {
        Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503);
        return true;
      }
      return super.handle(request, response, callback);
    }
  }
}
