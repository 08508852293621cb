package dev.parley;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a {@link ChatServer}: limits, timeouts, and which providers to use. Immutable; built
 * with {@link #builder()}, validated in {@link Builder#build()}, copied with {@link #toBuilder()}.
 *
 * <h3>Fixed limits</h3>
 * Event names and room names are 1 to {@value #MAX_NAME_LENGTH} characters with no control characters
 * (U+0000–U+001F, U+007F–U+009F); namespace names start with {@code /} and follow the same rule.
 * Event names that Socket.IO reserves ({@code connect}, {@code connect_error}, {@code disconnect},
 * {@code disconnecting}, {@code newListener}, {@code removeListener}) cannot be emitted.
 *
 * @param ackTimeout how long {@link Channel#emitWithAck(String, Object...)} waits for the client; default 10 s
 * @param maxPendingAcks acks one channel may be waiting for at once; default 128
 * @param outboundBufferSize packets queued for one connection before it is cut off as a slow
 *     consumer; default 1024
 * @param maxHistoryPage the largest history page a query returns; default 1000
 * @param replayPageSize the page size used to read history while replaying a join; default 500
 * @param shutdownTimeout how long {@link ChatServer#close()} waits for in-flight posts and for clients
 *     to be told; default 10 s
 * @param startTimeout how long {@link ChatServer#start()} waits for the store, transports and host;
 *     default 30 s
 * @param handlerThreads the size of the handler pool when virtual threads are not used; default
 *     {@code max(16, 4 × cores)}
 * @param virtualThreads run handlers on virtual threads when the JVM has them (21+); default true
 * @param nodeId this server's id among the nodes sharing a store; default random
 * @param transports names of the transports to use; empty means every one found
 * @param store the name of the store to use, or null for the one found
 * @param host the name of the host to use, {@code "none"} when the application mounts the transports into
 *     its own container, or null for the one found (if a transport needs one)
 * @param bindAddress the address the host listens on; default {@code 0.0.0.0}
 * @param port the port the host listens on, 0 for any free port; default 8080
 */
public record ChatServerConfig(
    Duration ackTimeout,
    int maxPendingAcks,
    int outboundBufferSize,
    int maxHistoryPage,
    int replayPageSize,
    Duration shutdownTimeout,
    Duration startTimeout,
    int handlerThreads,
    boolean virtualThreads,
    String nodeId,
    List<String> transports,
    @Nullable String store,
    @Nullable String host,
    String bindAddress,
    int port) {

  /** The longest event, room or namespace name, in chars. */
  public static final int MAX_NAME_LENGTH = 128;

  public ChatServerConfig {
    positive("ackTimeout", ackTimeout);
    positive("shutdownTimeout", shutdownTimeout);
    positive("startTimeout", startTimeout);
    atLeast("maxPendingAcks", maxPendingAcks, 1);
    atLeast("outboundBufferSize", outboundBufferSize, 2);
    atLeast("maxHistoryPage", maxHistoryPage, 1);
    atLeast("replayPageSize", replayPageSize, 1);
    atLeast("handlerThreads", handlerThreads, 1);
    Objects.requireNonNull(nodeId, "nodeId");
    if (nodeId.isBlank()) {
      throw new IllegalArgumentException("nodeId must not be blank");
    }
    transports = List.copyOf(transports);
    Objects.requireNonNull(bindAddress, "bindAddress");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0..65535: " + port);
    }
  }

  /** The defaults. */
  public static ChatServerConfig defaults() {
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

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }

  private static void atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ": " + value);
    }
  }

  /** Builds a {@link ChatServerConfig}; not thread-safe. */
  public static final class Builder {
    private Duration ackTimeout = Duration.ofSeconds(10);
    private int maxPendingAcks = 128;
    private int outboundBufferSize = 1024;
    private int maxHistoryPage = 1000;
    private int replayPageSize = 500;
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private Duration startTimeout = Duration.ofSeconds(30);
    private int handlerThreads = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());
    private boolean virtualThreads = true;
    private String nodeId = UUID.randomUUID().toString();
    private List<String> transports = List.of();
    private @Nullable String store;
    private @Nullable String host;
    private String bindAddress = "0.0.0.0";
    private int port = 8080;

    private Builder() {
    }

    private Builder(ChatServerConfig c) {
      ackTimeout = c.ackTimeout;
      maxPendingAcks = c.maxPendingAcks;
      outboundBufferSize = c.outboundBufferSize;
      maxHistoryPage = c.maxHistoryPage;
      replayPageSize = c.replayPageSize;
      shutdownTimeout = c.shutdownTimeout;
      startTimeout = c.startTimeout;
      handlerThreads = c.handlerThreads;
      virtualThreads = c.virtualThreads;
      nodeId = c.nodeId;
      transports = c.transports;
      store = c.store;
      host = c.host;
      bindAddress = c.bindAddress;
      port = c.port;
    }

    public Builder ackTimeout(Duration ackTimeout) {
      this.ackTimeout = ackTimeout;
      return this;
    }

    public Builder maxPendingAcks(int maxPendingAcks) {
      this.maxPendingAcks = maxPendingAcks;
      return this;
    }

    public Builder outboundBufferSize(int outboundBufferSize) {
      this.outboundBufferSize = outboundBufferSize;
      return this;
    }

    public Builder maxHistoryPage(int maxHistoryPage) {
      this.maxHistoryPage = maxHistoryPage;
      return this;
    }

    public Builder replayPageSize(int replayPageSize) {
      this.replayPageSize = replayPageSize;
      return this;
    }

    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = startTimeout;
      return this;
    }

    public Builder handlerThreads(int handlerThreads) {
      this.handlerThreads = handlerThreads;
      return this;
    }

    public Builder virtualThreads(boolean virtualThreads) {
      this.virtualThreads = virtualThreads;
      return this;
    }

    public Builder nodeId(String nodeId) {
      this.nodeId = nodeId;
      return this;
    }

    public Builder transports(List<String> transports) {
      this.transports = List.copyOf(transports);
      return this;
    }

    public Builder store(@Nullable String store) {
      this.store = store;
      return this;
    }

    public Builder host(@Nullable String host) {
      this.host = host;
      return this;
    }

    public Builder bindAddress(String bindAddress) {
      this.bindAddress = bindAddress;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * Validates the settings and returns the config.
     *
     * @throws IllegalArgumentException naming the first setting that is out of range
     */
    public ChatServerConfig build() {
      return new ChatServerConfig(ackTimeout, maxPendingAcks, outboundBufferSize, maxHistoryPage,
          replayPageSize, shutdownTimeout, startTimeout, handlerThreads, virtualThreads, nodeId,
          transports, store, host, bindAddress, port);
    }
  }
}
