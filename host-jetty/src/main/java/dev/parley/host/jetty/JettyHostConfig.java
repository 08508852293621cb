package dev.parley.host.jetty;

import dev.parley.protocol.Checks;
import java.nio.file.Path;
import java.time.Duration;
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
 *     bytes trickle in meanwhile. Beyond it the host closes the connection, without an answer. Once
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
 */
public record JettyHostConfig(
    @Nullable StaticResources staticResources,
    Duration stopTimeout,
    int maxThreads,
    int minThreads,
    Duration idleTimeout,
    Duration requestHeaderTimeout,
    int maxConnectionsPerAddress) {

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
   * @throws NullPointerException if {@code stopTimeout}, {@code idleTimeout} or
   *     {@code requestHeaderTimeout} is null
   * @throws IllegalArgumentException naming the first setting that is out of range
   */
  public JettyHostConfig {
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
   * request's headers, twice the server's connections per address.
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
     * Validates the settings and returns the config.
     *
     * @throws NullPointerException if {@code stopTimeout}, {@code idleTimeout} or
     *     {@code requestHeaderTimeout} is null
     * @throws IllegalArgumentException naming the first setting that is out of range
     */
    public JettyHostConfig build() {
      return new JettyHostConfig(staticResources, stopTimeout, maxThreads, minThreads, idleTimeout,
          requestHeaderTimeout, maxConnectionsPerAddress);
    }
  }
}
