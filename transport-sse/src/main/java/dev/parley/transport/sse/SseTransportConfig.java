package dev.parley.transport.sse;

import dev.parley.protocol.Checks;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the {@link SseTransport}. Immutable; built with {@link #builder()}.
 *
 * @param path where the transport is mounted; streams and posts use any URL below it. Default {@code /sse/}
 * @param heartbeatInterval how often a comment line is written to an idle stream, which keeps proxies
 *     from closing it and detects clients that went away; default 15 s
 * @param retry the reconnection delay hinted to browsers ({@code retry:}); default 2 s
 * @param maxPostBody the largest POST body accepted, in bytes; larger gets 413, as soon as the body's
 *     {@code Content-Length} says so or, without one (chunked), as soon as that many bytes have arrived.
 *     Default 64 KiB
 * @param postBodyTimeout the longest a POST body may take to arrive, all of it, counted from when its session
 *     and token have been checked; then 408 and the connection is closed, so that a client trickling a body
 *     holds nothing for long (bodies are read without holding a thread, and hold a place of their address
 *     against {@code ChatServerConfig.maxConnectionsPerAddress} while they are read). Default 10 s
 * @param postAckTimeout how long a POST that asked for its ack ({@code "ack": true}) waits; then 504.
 *     Default 10 s
 * @param allowedOrigins origins ({@code scheme://host[:port]}) allowed to open streams and post (CORS); empty
 *     means same origin only. A listed origin is answered with credentials (its cookies reach the server, and
 *     the page may read the answers). {@code "*"} lets any other origin in too, but without credentials
 *     ({@code Access-Control-Allow-Origin: *}): the browser sends such a page's requests without cookies, so
 *     {@code "*"} never lets a site act with a signed-in user's session. Default empty
 */
public record SseTransportConfig(String path, Duration heartbeatInterval, Duration retry, int maxPostBody,
                                 Duration postBodyTimeout, Duration postAckTimeout, List<String> allowedOrigins) {

  public SseTransportConfig {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/") || !path.endsWith("/")) {
      throw new IllegalArgumentException("path must start and end with \"/\": \"" + path + "\"");
    }
    Checks.positive("heartbeatInterval", heartbeatInterval);
    Checks.positive("retry", retry);
    Checks.positive("postBodyTimeout", postBodyTimeout);
    Checks.positive("postAckTimeout", postAckTimeout);
    Checks.atLeast("maxPostBody", maxPostBody, 256, "bytes");
    allowedOrigins = List.copyOf(allowedOrigins);
  }


  /** The defaults. */
  public static SseTransportConfig defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link SseTransportConfig}; not thread-safe. */
  public static final class Builder {
    private String path = "/sse/";
    private Duration heartbeatInterval = Duration.ofSeconds(15);
    private Duration retry = Duration.ofSeconds(2);
    private int maxPostBody = 64 * 1024;
    private Duration postBodyTimeout = Duration.ofSeconds(10);
    private Duration postAckTimeout = Duration.ofSeconds(10);
    private List<String> allowedOrigins = List.of();

    private Builder() {
    }

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    public Builder heartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
      return this;
    }

    public Builder retry(Duration retry) {
      this.retry = retry;
      return this;
    }

    public Builder maxPostBody(int maxPostBody) {
      this.maxPostBody = maxPostBody;
      return this;
    }

    public Builder postBodyTimeout(Duration postBodyTimeout) {
      this.postBodyTimeout = postBodyTimeout;
      return this;
    }

    public Builder postAckTimeout(Duration postAckTimeout) {
      this.postAckTimeout = postAckTimeout;
      return this;
    }

    public Builder allowedOrigins(List<String> allowedOrigins) {
      this.allowedOrigins = List.copyOf(allowedOrigins);
      return this;
    }

    /**
     * Validates and returns the config.
     *
     * @throws IllegalArgumentException naming the first setting out of range
     */
    public SseTransportConfig build() {
      return new SseTransportConfig(path, heartbeatInterval, retry, maxPostBody, postBodyTimeout, postAckTimeout,
          allowedOrigins);
    }
  }
}
