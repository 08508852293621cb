package dev.parley.transport.websocket;

import dev.parley.protocol.Checks;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the {@link WebSocketTransport}. Immutable; built with {@link #builder()}.
 *
 * @param path where the transport is mounted; default {@code /socket.io/}, as Socket.IO clients expect
 * @param pingInterval how often the server pings (Engine.IO {@code pingInterval}); default 25 s. A long-poll
 *     {@code GET} is held up to this long: the embedded Jetty host does not cut it at its idle timeout, but a
 *     proxy in front of the server must let a response take this long
 * @param pingTimeout how long a pong may take before the connection is closed; default 20 s
 * @param maxPayload the largest frame accepted, in bytes (Engine.IO {@code maxPayload}), and the largest
 *     binary packet (its text frame and its attachments together); a larger one closes the connection with 1009;
 *     default 1,000,000
 * @param allowedOrigins origins ({@code scheme://host[:port]}) allowed to connect; empty means the
 *     request's own host only, {@code "*"} any origin. Requests without an {@code Origin} header (not
 *     browsers) are allowed. Default empty.
 * @param attachmentTimeout how long the binary frames a BINARY_EVENT or BINARY_ACK announced may take to
 *     arrive, counted from its text frame: a packet still incomplete by then is dropped and the connection closed
 *     with 1002 (its bytes were held against {@code ChatServerConfig.maxInboundBytes} meanwhile). Default 10 s
 * @param polling whether Engine.IO's HTTP long-polling transport is served; false answers
 *     {@code transport=polling} with {@code 400 {"code":0,"message":"Transport unknown"}}, as for any unknown
 *     transport, so clients must be told {@code transports: ["websocket"]}. Default true
 * @param allowUpgrades whether a polling session may upgrade to WebSocket (Engine.IO's {@code allowUpgrades});
 *     false offers {@code upgrades: []} in the open packet over polling and refuses a WebSocket that carries a
 *     polling {@code sid} with {@code 400 {"code":3,"message":"Bad request"}}: the session stays on polling.
 *     Default true
 * @param serveClient whether the transport serves Parley's browser client at {@code <path>socket.io.js}, a
 *     minified copy at {@code <path>socket.io.min.js} and its TypeScript declarations at
 *     {@code <path>socket.io.d.ts}, to {@code GET} and {@code HEAD} from any origin; when false those URLs get
 *     Engine.IO's {@code 400 {"code":0,"message":"Transport unknown"}}. Default true
 */
public record WebSocketTransportConfig(String path, Duration pingInterval, Duration pingTimeout, int maxPayload,
                                       List<String> allowedOrigins, Duration attachmentTimeout, boolean polling,
                                       boolean allowUpgrades, boolean serveClient) {

  public WebSocketTransportConfig {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/") || !path.endsWith("/")) {
      throw new IllegalArgumentException("path must start and end with \"/\": \"" + path + "\"");
    }
    Checks.positive("pingInterval", pingInterval);
    Checks.positive("pingTimeout", pingTimeout);
    Checks.atLeast("maxPayload", maxPayload, 1024, "bytes");
    allowedOrigins = List.copyOf(allowedOrigins);
    Checks.positive("attachmentTimeout", attachmentTimeout);
  }


  /** The defaults. */
  public static WebSocketTransportConfig defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link WebSocketTransportConfig}; not thread-safe. */
  public static final class Builder {
    private String path = "/socket.io/";
    private Duration pingInterval = Duration.ofSeconds(25);
    private Duration pingTimeout = Duration.ofSeconds(20);
    private int maxPayload = 1_000_000;
    private List<String> allowedOrigins = List.of();
    private Duration attachmentTimeout = Duration.ofSeconds(10);
    private boolean polling = true;
    private boolean allowUpgrades = true;
    private boolean serveClient = true;

    private Builder() {
    }

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    public Builder pingInterval(Duration pingInterval) {
      this.pingInterval = pingInterval;
      return this;
    }

    public Builder pingTimeout(Duration pingTimeout) {
      this.pingTimeout = pingTimeout;
      return this;
    }

    public Builder maxPayload(int maxPayload) {
      this.maxPayload = maxPayload;
      return this;
    }

    public Builder allowedOrigins(List<String> allowedOrigins) {
      this.allowedOrigins = List.copyOf(allowedOrigins);
      return this;
    }

    public Builder attachmentTimeout(Duration attachmentTimeout) {
      this.attachmentTimeout = attachmentTimeout;
      return this;
    }

    /**
     * Whether to serve Engine.IO's HTTP long-polling transport; default true. Turn it off to accept WebSocket
     * only: clients must then be told {@code transports: ["websocket"]}.
     *
     * @return this builder
     */
    public Builder polling(boolean polling) {
      this.polling = polling;
      return this;
    }

    /**
     * Whether a session opened over polling may upgrade to WebSocket; default true. Turn it off when a proxy
     * between clients and the server is known to break WebSocket, so sessions stay on polling.
     *
     * @return this builder
     */
    public Builder allowUpgrades(boolean allowUpgrades) {
      this.allowUpgrades = allowUpgrades;
      return this;
    }

    /**
     * Whether to serve the browser client ({@code socket.io.js}, {@code socket.io.min.js},
     * {@code socket.io.d.ts}) under the transport's path; default true. Turn it off when the page gets the
     * client elsewhere (a bundler, a CDN) and the URLs should stay Engine.IO's.
     *
     * @return this builder
     */
    public Builder serveClient(boolean serveClient) {
      this.serveClient = serveClient;
      return this;
    }

    /**
     * Validates and returns the config.
     *
     * @throws IllegalArgumentException naming the first setting out of range
     */
    public WebSocketTransportConfig build() {
      return new WebSocketTransportConfig(path, pingInterval, pingTimeout, maxPayload, allowedOrigins,
          attachmentTimeout, polling, allowUpgrades, serveClient);
    }
  }
}
