package dev.parley;

import dev.parley.protocol.Checks;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Names;
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
 * @param outboundBufferBytes bytes queued for one connection (encoded packets, pongs and every other
 *     frame the server sends) before it is cut off as a slow consumer, beside {@code outboundBufferSize}; one
 *     packet larger than this is still sent when nothing else is queued. Default 4 MiB
 * @param nodeOutboundBytes bytes queued for all connections of this node together: beyond it, a connection
 *     whose client is not reading is cut off as a slow consumer as soon as something more is queued for it
 *     (a broadcast's bytes count once per connection, though they are shared). Default a quarter of the
 *     maximum heap
 * @param maxInboundBytes what one connection's frames that are read but not yet handled may hold, in bytes
 *     as they will be once parsed (estimated from the text before parsing it; partial binary packets and
 *     SSE POST bodies count too). A frame that alone is larger closes the connection (WebSocket 1009, SSE
 *     413); one that does not fit for now is refused like a rate-limited event ({@code {"error": "server
 *     busy"}} ack, or SSE 503). Default 4 MiB
 * @param nodeInboundBytes the same for all connections of this node together; a frame that does not fit is
 *     refused ({@code "server busy"}), the connection stays. Default an eighth of the maximum heap
 * @param maxAuthBytes the largest CONNECT {@code auth} payload, in bytes of JSON text: it is kept with the
 *     channel's handshake for the channel's whole life; a larger one gets the CONNECT_ERROR
 *     {@code "auth payload too large"}. Default 16 KiB
 * @param maxRoomsPerChannel rooms one channel may be in at once, not counting the room of its own id;
 *     {@link Channel#join(String)} beyond it errors with {@link dev.parley.error.LimitExceededException};
 *     default 1000
 * @param maxEventsPerSecond events per second one connection may send, every namespace together (a
 *     CONNECT counts as one, so leaving and joining again buys nothing), sustained (a token bucket refilled
 *     at this rate); an event beyond it is rejected before any handler sees it: if it asked for an ack,
 *     the ack is {@code {"error": "rate limited"}} (over SSE the POST gets 429), otherwise it is dropped.
 *     Default 1000
 * @param maxEventBurst events one connection may send at once before {@code maxEventsPerSecond} applies
 *     (the bucket's size); default 1000
 * @param disconnectOnRateLimit whether a channel that exceeds {@code maxEventsPerSecond} is disconnected
 *     from its namespace ({@link DisconnectReason#RATE_LIMITED}) instead of having the excess rejected;
 *     default false
 * @param maxConnectionsPerAddress connections (WebSockets and SSE streams together) one remote IP address
 *     may hold open at once; beyond it the transports refuse with HTTP 429 before upgrading or streaming.
 *     Behind a reverse proxy every client has the proxy's address: raise it there. Default 1000
 * @param connectTimeout how long a connection may stay open without joining any namespace (no CONNECT,
 *     or only refused ones) before the server closes it ({@link DisconnectReason#FORCED_SERVER_CLOSE});
 *     default 45 s, as Socket.IO's {@code connectTimeout}
 * @param maxHistoryPage the largest history page a query returns; default 1000
 * @param replayPageSize the page size used to read history while replaying a join; default 500
 * @param maxDisconnectionDuration how long the state of a channel whose connection dropped is kept for
 *     connection state recovery (its id, rooms, {@link Channel#data()} and place in every room), so that a
 *     client reconnecting within it gets the same channel back with every posted message it missed;
 *     default 2 minutes, as Socket.IO's; {@link Duration#ZERO} turns recovery off for every namespace
 *     (see {@link Namespace#connectionStateRecovery(boolean)} for one)
 * @param recoveryJournalSize how many posted messages each channel remembers having been sent, in order,
 *     so that a reconnecting client's offset (the id of the last one it received) tells where it is in
 *     every room; a client whose offset is older than that many messages ago is not recovered. About
 *     8 bytes per entry per connected channel (the ids themselves are shared); a saved session holds each
 *     entry as text, about 24 bytes plus the room name's length (some 30 KB for a full journal); default 1000
 * @param shutdownTimeout how long {@link ChatServer#close()} waits for in-flight posts and for clients
 *     to be told; default 10 s
 * @param startTimeout how long {@link ChatServer#start()} waits for the store, transports and host;
 *     default 30 s
 * @param handlerThreads the size of the handler pool when virtual threads are not used; default
 *     {@code max(16, 4 × cores)}
 * @param virtualThreads run handlers on virtual threads when the JVM has them (21+); default true
 * @param nodeId this server's id among the nodes sharing a store; default random
 * @param clusterHeartbeat how often this node tells the others sharing its store that it is alive; default 5 s
 * @param clusterNodeTimeout how long a node may go unheard before the others count it as gone: no longer
 *     waited for by operations across nodes; more than {@code clusterHeartbeat}. Default 15 s
 * @param clusterTimeout how long an operation across nodes ({@link Broadcast#join(String)},
 *     {@link Broadcast#fetchChannels()} and the like) waits for the other nodes' answers unless it is given a
 *     timeout of its own; default 5 s
 * @param transports names of the transports to use; empty means every one found
 * @param store the name of the store to use, or null for the only one found on the class path ({@code start()}
 *     fails listing them when there are several)
 * @param host the name of the host to use, {@code "none"} when the application mounts the transports into
 *     its own container, or null for the one found (if a transport needs one)
 * @param bindAddress the address the host listens on; default {@code 0.0.0.0}
 * @param port the port the host listens on, 0 for any free port; default 8080
 */
public record ChatServerConfig(
    Duration ackTimeout,
    int maxPendingAcks,
    int outboundBufferSize,
    long outboundBufferBytes,
    long nodeOutboundBytes,
    long maxInboundBytes,
    long nodeInboundBytes,
    int maxAuthBytes,
    int maxRoomsPerChannel,
    int maxEventsPerSecond,
    int maxEventBurst,
    boolean disconnectOnRateLimit,
    int maxConnectionsPerAddress,
    Duration connectTimeout,
    int maxHistoryPage,
    int replayPageSize,
    Duration maxDisconnectionDuration,
    int recoveryJournalSize,
    Duration shutdownTimeout,
    Duration startTimeout,
    int handlerThreads,
    boolean virtualThreads,
    String nodeId,
    Duration clusterHeartbeat,
    Duration clusterNodeTimeout,
    Duration clusterTimeout,
    List<String> transports,
    @Nullable String store,
    @Nullable String host,
    String bindAddress,
    int port) {

  /** The longest event, room or namespace name, in chars. */
  public static final int MAX_NAME_LENGTH = Names.MAX_NAME_LENGTH;

  public ChatServerConfig {
    Checks.positive("ackTimeout", ackTimeout);
    Checks.positive("shutdownTimeout", shutdownTimeout);
    Checks.positive("startTimeout", startTimeout);
    Checks.atLeast("maxPendingAcks", maxPendingAcks, 1);
    Checks.atLeast("outboundBufferSize", outboundBufferSize, 2);
    Checks.atLeast("outboundBufferBytes", outboundBufferBytes, 1024);
    Checks.atLeast("nodeOutboundBytes", nodeOutboundBytes, outboundBufferBytes);
    Checks.atLeast("maxInboundBytes", maxInboundBytes, 1024);
    Checks.atLeast("nodeInboundBytes", nodeInboundBytes, maxInboundBytes);
    Checks.atLeast("maxAuthBytes", maxAuthBytes, 2);
    Checks.atLeast("maxRoomsPerChannel", maxRoomsPerChannel, 1);
    Checks.atLeast("maxEventsPerSecond", maxEventsPerSecond, 1);
    Checks.atLeast("maxEventBurst", maxEventBurst, 1);
    Checks.atLeast("maxConnectionsPerAddress", maxConnectionsPerAddress, 1);
    Checks.positive("connectTimeout", connectTimeout);
    Checks.atLeast("maxHistoryPage", maxHistoryPage, 1);
    Checks.atLeast("replayPageSize", replayPageSize, 1);
    Objects.requireNonNull(maxDisconnectionDuration, "maxDisconnectionDuration");
    if (maxDisconnectionDuration.isNegative()) {
      throw new IllegalArgumentException("maxDisconnectionDuration must be zero (recovery off) or positive: "
          + maxDisconnectionDuration);
    }
    Checks.atLeast("recoveryJournalSize", recoveryJournalSize, 1);
    Checks.atLeast("handlerThreads", handlerThreads, 1);
    Objects.requireNonNull(nodeId, "nodeId");
    if (nodeId.isBlank()) {
      throw new IllegalArgumentException("nodeId must not be blank");
    }
    Checks.positive("clusterHeartbeat", clusterHeartbeat);
    Checks.positive("clusterNodeTimeout", clusterNodeTimeout);
    Checks.positive("clusterTimeout", clusterTimeout);
    if (clusterNodeTimeout.compareTo(clusterHeartbeat) <= 0) {
      throw new IllegalArgumentException("clusterNodeTimeout (" + clusterNodeTimeout.toMillis() + " ms) must be"
          + " longer than clusterHeartbeat (" + clusterHeartbeat.toMillis() + " ms)");
    }
    transports = List.copyOf(transports);
    Objects.requireNonNull(bindAddress, "bindAddress");
    Checks.range("port", port, 0, 65_535);
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

  /** Builds a {@link ChatServerConfig}; not thread-safe. */
  public static final class Builder {
    private Duration ackTimeout = Duration.ofSeconds(10);
    private int maxPendingAcks = 128;
    private int outboundBufferSize = 1024;
    private long outboundBufferBytes = 4L << 20;
    private long nodeOutboundBytes = Math.max(outboundBufferBytes, Runtime.getRuntime().maxMemory() / 4);
    private long maxInboundBytes = 4L << 20;
    private long nodeInboundBytes = Math.max(maxInboundBytes, Runtime.getRuntime().maxMemory() / 8);
    private int maxAuthBytes = 16 << 10;
    private int maxRoomsPerChannel = 1000;
    private int maxEventsPerSecond = 1000;
    private int maxEventBurst = 1000;
    private boolean disconnectOnRateLimit;
    private int maxConnectionsPerAddress = 1000;
    private Duration connectTimeout = Duration.ofSeconds(45);
    private int maxHistoryPage = 1000;
    private int replayPageSize = 500;
    private Duration maxDisconnectionDuration = Duration.ofMinutes(2);
    private int recoveryJournalSize = 1000;
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private Duration startTimeout = Duration.ofSeconds(30);
    private int handlerThreads = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());
    private boolean virtualThreads = true;
    private String nodeId = UUID.randomUUID().toString();
    private Duration clusterHeartbeat = Duration.ofSeconds(5);
    private Duration clusterNodeTimeout = Duration.ofSeconds(15);
    private Duration clusterTimeout = Duration.ofSeconds(5);
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
      outboundBufferBytes = c.outboundBufferBytes;
      nodeOutboundBytes = c.nodeOutboundBytes;
      maxInboundBytes = c.maxInboundBytes;
      nodeInboundBytes = c.nodeInboundBytes;
      maxAuthBytes = c.maxAuthBytes;
      maxRoomsPerChannel = c.maxRoomsPerChannel;
      maxEventsPerSecond = c.maxEventsPerSecond;
      maxEventBurst = c.maxEventBurst;
      disconnectOnRateLimit = c.disconnectOnRateLimit;
      maxConnectionsPerAddress = c.maxConnectionsPerAddress;
      connectTimeout = c.connectTimeout;
      maxHistoryPage = c.maxHistoryPage;
      replayPageSize = c.replayPageSize;
      maxDisconnectionDuration = c.maxDisconnectionDuration;
      recoveryJournalSize = c.recoveryJournalSize;
      shutdownTimeout = c.shutdownTimeout;
      startTimeout = c.startTimeout;
      handlerThreads = c.handlerThreads;
      virtualThreads = c.virtualThreads;
      nodeId = c.nodeId;
      clusterHeartbeat = c.clusterHeartbeat;
      clusterNodeTimeout = c.clusterNodeTimeout;
      clusterTimeout = c.clusterTimeout;
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

    public Builder outboundBufferBytes(long outboundBufferBytes) {
      this.outboundBufferBytes = outboundBufferBytes;
      return this;
    }

    public Builder nodeOutboundBytes(long nodeOutboundBytes) {
      this.nodeOutboundBytes = nodeOutboundBytes;
      return this;
    }

    public Builder maxInboundBytes(long maxInboundBytes) {
      this.maxInboundBytes = maxInboundBytes;
      return this;
    }

    public Builder nodeInboundBytes(long nodeInboundBytes) {
      this.nodeInboundBytes = nodeInboundBytes;
      return this;
    }

    public Builder maxAuthBytes(int maxAuthBytes) {
      this.maxAuthBytes = maxAuthBytes;
      return this;
    }

    public Builder maxRoomsPerChannel(int maxRoomsPerChannel) {
      this.maxRoomsPerChannel = maxRoomsPerChannel;
      return this;
    }

    public Builder maxEventsPerSecond(int maxEventsPerSecond) {
      this.maxEventsPerSecond = maxEventsPerSecond;
      return this;
    }

    public Builder maxEventBurst(int maxEventBurst) {
      this.maxEventBurst = maxEventBurst;
      return this;
    }

    public Builder disconnectOnRateLimit(boolean disconnectOnRateLimit) {
      this.disconnectOnRateLimit = disconnectOnRateLimit;
      return this;
    }

    public Builder maxConnectionsPerAddress(int maxConnectionsPerAddress) {
      this.maxConnectionsPerAddress = maxConnectionsPerAddress;
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
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

    /** How long a dropped channel can be recovered; {@link Duration#ZERO} turns recovery off. */
    public Builder maxDisconnectionDuration(Duration maxDisconnectionDuration) {
      this.maxDisconnectionDuration = maxDisconnectionDuration;
      return this;
    }

    /** How many posted messages each channel remembers having been sent, for recovery. */
    public Builder recoveryJournalSize(int recoveryJournalSize) {
      this.recoveryJournalSize = recoveryJournalSize;
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

    public Builder clusterHeartbeat(Duration clusterHeartbeat) {
      this.clusterHeartbeat = clusterHeartbeat;
      return this;
    }

    public Builder clusterNodeTimeout(Duration clusterNodeTimeout) {
      this.clusterNodeTimeout = clusterNodeTimeout;
      return this;
    }

    public Builder clusterTimeout(Duration clusterTimeout) {
      this.clusterTimeout = clusterTimeout;
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
      return new ChatServerConfig(ackTimeout, maxPendingAcks, outboundBufferSize, outboundBufferBytes,
          nodeOutboundBytes, maxInboundBytes, nodeInboundBytes, maxAuthBytes, maxRoomsPerChannel,
          maxEventsPerSecond, maxEventBurst, disconnectOnRateLimit, maxConnectionsPerAddress, connectTimeout,
          maxHistoryPage, replayPageSize, maxDisconnectionDuration, recoveryJournalSize, shutdownTimeout, startTimeout, handlerThreads, virtualThreads, nodeId,
          clusterHeartbeat, clusterNodeTimeout, clusterTimeout, transports, store, host, bindAddress, port);
    }
  }
}
