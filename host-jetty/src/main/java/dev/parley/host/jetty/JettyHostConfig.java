package dev.parley.host.jetty;

import dev.parley.protocol.Checks;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.eclipse.jetty.server.Handler;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link JettyHost}. The address and port come from the server's
 * {@link dev.parley.ChatServerConfig}; these are Jetty's own. Immutable; built with {@link #builder()},
 * validated when built, copied with {@link #toBuilder()}.
 *
 * @param staticResources where the static files served at {@code /} are, or null to serve none
 *     (the default)
 * @param stopTimeout the longest a graceful stop waits for requests in flight before connections are
 *     closed; the timeout given to {@link JettyHost#stop} caps it. Default 30 s.
 * @param maxThreads the most threads Jetty's pool runs, at least {@value #MIN_MAX_THREADS}; default 200
 * @param minThreads the threads Jetty's pool keeps when idle, 1 to {@code maxThreads}; default 4
 * @param idleTimeout how long a connection may go without reading or writing a byte before Jetty closes
 *     it: this bounds a TCP connection that never finishes its HTTP request or WebSocket upgrade, and a
 *     keep-alive connection between requests. Once upgraded, a WebSocket uses the transport's heartbeat
 *     instead. An open SSE stream is written at least every {@code heartbeatInterval} (15 s by default),
 *     so keep this above it. Each byte received restarts it, so on its own it does not end a request
 *     that trickles in: {@code requestHeaderTimeout} does. Default 30 s.
 * @param requestHeaderTimeout how long a TCP connection has to deliver the complete headers of a request
 *     (request line, header fields and the blank line that ends them), counted from when the connection
 *     was accepted or, on a kept-alive connection, from the end of the previous response, however many
 *     bytes trickle in meanwhile. Beyond it (checked every quarter of it, so within 1.25 times it) the host
 *     closes the connection, without an answer. Once
 *     the headers are in, the request, a long-lived response such as an SSE stream, and a connection
 *     upgraded to WebSocket are no longer subject to it. A kept-alive connection that sends no new
 *     request for this long is closed too. Default 10 s.
 * @param maxConnectionsPerAddress how many TCP connections one remote IP address may hold open to the
 *     host at once, counted when the connection is accepted, before a byte is read: requests whose headers
 *     are still arriving, kept-alive connections, WebSockets and SSE streams alike. A connection beyond
 *     it is closed at once, before any byte is read or answered. {@value #PER_ADDRESS_FROM_SERVER} (the
 *     default) means twice the server's {@link dev.parley.ChatServerConfig#maxConnectionsPerAddress()}
 *     (2000 with its default), which counts only WebSockets and SSE streams: room for each of those and
 *     one more connection beside it (the one an SSE client posts on, a page load), so that a client
 *     refused by a transport normally gets its HTTP 429 rather than a closed connection. Behind a reverse
 *     proxy every client has the proxy's address: raise both there.
 * @param routes the application's own servlets, filters and Jetty handlers, served on the same port as the
 *     transports (see {@link Builder#servlet}); none by default
 * @param tls the certificate and key to serve HTTPS with, or null (the default) for plain HTTP. With it the
 *     port speaks TLS only (HTTP/1.1, and HTTP/2 chosen by ALPN); the WebSocket URL is {@code wss://}.
 * @param http2 whether HTTP/2 is offered beside HTTP/1.1 over TLS, chosen by ALPN (default true). Over HTTP/2
 *     all of a browser's SSE streams and posts to one server share one TCP connection, instead of taking one
 *     of its six HTTP/1.1 connections each. WebSocket stays on HTTP/1.1 (RFC 8441's WebSocket over HTTP/2 is not offered:
 *     {@code socket.io-client} on Node cannot use it, and a browser then opens an HTTP/1.1 connection for it).
 * @param h2c whether HTTP/2 is offered in the clear too, without TLS (prior knowledge, or {@code Upgrade: h2c}
 *     from HTTP/1.1): for a proxy that speaks h2c to its backends. Default false: browsers never use it, and a
 *     client that asks for it by default (the JDK's {@code HttpClient}) would otherwise switch protocols
 *     under a plain-HTTP deployment. Ignored when {@code tls} is set.
 * @param trustedProxies the reverse proxies (IP addresses or CIDR ranges, such as {@code "10.0.0.0/8"})
 *     whose forwarding headers are believed: for a request from one of them, the client's address comes
 *     from {@code Forwarded} or {@code X-Forwarded-For} (the rightmost address that is not itself a trusted
 *     proxy), its scheme from {@code proto=} or {@code X-Forwarded-Proto}, and its host from {@code host=} or
 *     {@code X-Forwarded-Host}, for {@code handshake().remoteAddress()}, the per-address limits and the
 *     same-origin check; such a proxy is not held to {@code maxConnectionsPerAddress} at the TCP level (its
 *     clients are, each by its own address). From any other peer those headers are ignored. Empty by default.
 */
public record JettyHostConfig(
    @Nullable StaticResources staticResources,
    Duration stopTimeout,
    int maxThreads,
    int minThreads,
    Duration idleTimeout,
    Duration requestHeaderTimeout,
    int maxConnectionsPerAddress,
    List<Route> routes,
    @Nullable Tls tls,
    boolean http2,
    boolean h2c,
    List<String> trustedProxies) {

  /**
   * The smallest {@code maxThreads}: Jetty leases threads to accept and select connections before any
   * request runs.
   */
  public static final int MIN_MAX_THREADS = 8;

  /**
   * The {@code maxConnectionsPerAddress} that derives the host's limit from the server's: twice
   * {@link dev.parley.ChatServerConfig#maxConnectionsPerAddress()}.
   */
  public static final int PER_ADDRESS_FROM_SERVER = 0;

  /**
   * Validates the settings.
   *
   * @throws NullPointerException if {@code stopTimeout}, {@code idleTimeout},
   *     {@code requestHeaderTimeout}, {@code routes} or {@code trustedProxies} is null, or holds null
   * @throws IllegalArgumentException naming the first setting that is out of range, or a trusted proxy that
   *     is not an IP address or CIDR range
   */
  public JettyHostConfig {
    routes = List.copyOf(routes);
    trustedProxies = List.copyOf(trustedProxies);
    TrustedProxies.parse(trustedProxies);
    Checks.positive("stopTimeout", stopTimeout);
    Checks.atLeast("maxThreads", maxThreads, MIN_MAX_THREADS);
    if (minThreads < 1 || minThreads > maxThreads) {
      throw new IllegalArgumentException(
          "minThreads must be 1.." + maxThreads + " (maxThreads): " + minThreads);
    }
    Checks.positive("idleTimeout", idleTimeout);
    Checks.positive("requestHeaderTimeout", requestHeaderTimeout);
    if (maxConnectionsPerAddress < 0) {
      throw new IllegalArgumentException("maxConnectionsPerAddress must be at least 1, or "
          + PER_ADDRESS_FROM_SERVER + " for twice the server's: " + maxConnectionsPerAddress);
    }
  }

  /**
   * The TCP connections one address may hold: {@code maxConnectionsPerAddress}, or twice the server's
   * limit when it is {@value #PER_ADDRESS_FROM_SERVER}.
   *
   * @param serverLimit the server's {@link dev.parley.ChatServerConfig#maxConnectionsPerAddress()}
   */
  int connectionsPerAddress(int serverLimit) {
    if (maxConnectionsPerAddress != PER_ADDRESS_FROM_SERVER) {
      return maxConnectionsPerAddress;
    }
    return (int) Math.min(Integer.MAX_VALUE, 2L * serverLimit);
  }

  /**
   * The defaults: no static files, 30 s stop timeout, 4 to 200 threads, 30 s idle timeout, 10 s for a
   * request's headers, twice the server's connections per address, plain HTTP (HTTP/2 only once TLS is set), no trusted proxies.
   */
  public static JettyHostConfig defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builds a {@link JettyHostConfig}; not thread-safe. */
  public static final class Builder {
    private @Nullable StaticResources staticResources;
    private Duration stopTimeout = Duration.ofSeconds(30);
    private int maxThreads = 200;
    private int minThreads = 4;
    private Duration idleTimeout = Duration.ofSeconds(30);
    private Duration requestHeaderTimeout = Duration.ofSeconds(10);
    private int maxConnectionsPerAddress = PER_ADDRESS_FROM_SERVER;
    private final List<Route> routes = new ArrayList<>();
    private @Nullable Tls tls;
    private boolean http2 = true;
    private boolean h2c;
    private List<String> trustedProxies = List.of();

    private Builder() {
    }

    private Builder(JettyHostConfig config) {
      staticResources = config.staticResources;
      stopTimeout = config.stopTimeout;
      maxThreads = config.maxThreads;
      minThreads = config.minThreads;
      idleTimeout = config.idleTimeout;
      requestHeaderTimeout = config.requestHeaderTimeout;
      maxConnectionsPerAddress = config.maxConnectionsPerAddress;
      routes.addAll(config.routes);
      tls = config.tls;
      http2 = config.http2;
      h2c = config.h2c;
      trustedProxies = config.trustedProxies;
    }

    /**
     * Serves HTTPS (and WSS) with this certificate and key, or plain HTTP when null (the default); see
     * {@link JettyHostConfig#tls()}.
     */
    public Builder tls(@Nullable Tls tls) {
      this.tls = tls;
      return this;
    }

    /** Whether HTTP/2 is offered beside HTTP/1.1 over TLS (default true); see {@link JettyHostConfig#http2()}. */
    public Builder http2(boolean http2) {
      this.http2 = http2;
      return this;
    }

    /** Whether HTTP/2 is offered without TLS too (default false); see {@link JettyHostConfig#h2c()}. */
    public Builder h2c(boolean h2c) {
      this.h2c = h2c;
      return this;
    }

    /**
     * The reverse proxies whose {@code Forwarded} and {@code X-Forwarded-*} headers are believed, as IP
     * addresses or CIDR ranges; see {@link JettyHostConfig#trustedProxies()}. Replaces any set before.
     *
     * @throws NullPointerException if {@code proxies} is null or holds null
     */
    public Builder trustedProxies(String... proxies) {
      this.trustedProxies = List.of(proxies);
      return this;
    }

    /** Serves static files from these resources, or none when null. */
    public Builder staticResources(@Nullable StaticResources staticResources) {
      this.staticResources = staticResources;
      return this;
    }

    /**
     * Serves static files from a folder on the class path, such as {@code "static/"}.
     *
     * @throws IllegalArgumentException if {@code folder} is blank
     * @see StaticResources#classpath(String)
     */
    public Builder staticResources(String folder) {
      return staticResources(StaticResources.classpath(folder));
    }

    /**
     * Serves static files from a directory on the file system.
     *
     * @see StaticResources#directory(Path)
     */
    public Builder staticResources(Path directory) {
      return staticResources(StaticResources.directory(directory));
    }

    public Builder stopTimeout(Duration stopTimeout) {
      this.stopTimeout = stopTimeout;
      return this;
    }

    public Builder maxThreads(int maxThreads) {
      this.maxThreads = maxThreads;
      return this;
    }

    public Builder minThreads(int minThreads) {
      this.minThreads = minThreads;
      return this;
    }

    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      return this;
    }

    /**
     * How long a connection has to deliver a request's complete headers; see
     * {@link JettyHostConfig#requestHeaderTimeout()}.
     */
    public Builder requestHeaderTimeout(Duration requestHeaderTimeout) {
      this.requestHeaderTimeout = requestHeaderTimeout;
      return this;
    }

    /**
     * The TCP connections one remote address may hold, or {@value #PER_ADDRESS_FROM_SERVER} for twice the
     * server's {@code maxConnectionsPerAddress}; see {@link JettyHostConfig#maxConnectionsPerAddress()}.
     */
    public Builder maxConnectionsPerAddress(int maxConnectionsPerAddress) {
      this.maxConnectionsPerAddress = maxConnectionsPerAddress;
      return this;
    }

    /**
     * Serves the application's own servlet at {@code pathSpec} (a Servlet path spec: {@code "/login"},
     * {@code "/api/*"}, {@code "*.json"}), on the host's port beside the transports and the static files.
     * The servlet is initialized when the host starts and destroyed when it stops; one instance serves one
     * host. It may serve asynchronously. A path spec that a transport or the static files already map
     * exactly ({@code "/socket.io/*"}, {@code "/sse/*"}, {@code "/"}) is refused when the host starts; a more
     * specific one inside a transport's path ({@code "/sse/42"}) is not detected, and takes those requests
     * from the transport: keep your routes outside the transports' paths.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code pathSpec} is not a Servlet path spec
     */
    public Builder servlet(String pathSpec, Servlet servlet) {
      routes.add(new Route.ServletRoute(pathSpec, servlet));
      return this;
    }

    /**
     * Runs the application's own filter for requests matching {@code pathSpec}, in the order filters were
     * added. The transports' requests pass through it too when the path matches: a filter on {@code "/*"}
     * sees the Socket.IO and SSE requests before the transport does, and must pass them on (it is registered
     * as supporting asynchronous requests, which SSE streams and long-polls are, so it must not assume the
     * response is complete when {@code chain.doFilter} returns).
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code pathSpec} is not a Servlet path spec
     */
    public Builder filter(String pathSpec, Filter filter) {
      routes.add(new Route.FilterRoute(pathSpec, filter));
      return this;
    }

    /**
     * Puts one of the application's Jetty core handlers in front of the Servlet context: each request
     * goes to the handlers in the order they were added, and only to the transports, servlets and static
     * files if none of them handled it (returned {@code false} from {@code handle}).
     *
     * @throws NullPointerException if {@code handler} is null
     */
    public Builder handler(Handler handler) {
      routes.add(new Route.HandlerRoute(handler));
      return this;
    }

    /**
     * Validates the settings and returns the config.
     *
     * @throws NullPointerException if {@code stopTimeout}, {@code idleTimeout} or
     *     {@code requestHeaderTimeout} is null
     * @throws IllegalArgumentException naming the first setting that is out of range
     */
    public JettyHostConfig build() {
      return new JettyHostConfig(staticResources, stopTimeout, maxThreads, minThreads, idleTimeout,
          requestHeaderTimeout, maxConnectionsPerAddress, routes, tls, http2, h2c, trustedProxies);
    }
  }

  /** One of the application's own routes on the host. */
  public sealed interface Route {

    /** A servlet at a path spec. */
    record ServletRoute(String pathSpec, Servlet servlet) implements Route {
      public ServletRoute {
        checkPathSpec(pathSpec);
        Objects.requireNonNull(servlet, "servlet");
      }
    }

    /** A filter for the requests matching a path spec. */
    record FilterRoute(String pathSpec, Filter filter) implements Route {
      public FilterRoute {
        checkPathSpec(pathSpec);
        Objects.requireNonNull(filter, "filter");
      }
    }

    /** A Jetty core handler in front of the Servlet context. */
    record HandlerRoute(Handler handler) implements Route {
      public HandlerRoute {
        Objects.requireNonNull(handler, "handler");
      }
    }

    private static void checkPathSpec(String pathSpec) {
      Objects.requireNonNull(pathSpec, "pathSpec");
      boolean valid = pathSpec.equals("/") || pathSpec.equals("")
          || (pathSpec.startsWith("/") && (!pathSpec.contains("*") || (pathSpec.endsWith("/*")
              && pathSpec.indexOf('*') == pathSpec.length() - 1)))
          || (pathSpec.startsWith("*.") && pathSpec.indexOf('/') < 0 && pathSpec.length() > 2);
      if (!valid) {
        throw new IllegalArgumentException("not a Servlet path spec (\"/exact\", \"/prefix/*\", \"*.ext\" or \"/\"): \""
            + pathSpec + "\"");
      }
    }
  }
}
