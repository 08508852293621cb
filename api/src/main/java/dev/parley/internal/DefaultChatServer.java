package dev.parley.internal;

import dev.parley.Broadcast;
import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.Message;
import dev.parley.Namespace;
import dev.parley.Reply;
import dev.parley.Room;
import dev.parley.ServerObserver;
import dev.parley.ServerStats;
import dev.parley.internal.outbound.Outbox;
import dev.parley.internal.recovery.Recovery;
import dev.parley.internal.support.Settling;
import dev.parley.protocol.Names;
import dev.parley.protocol.support.Lifecycle;
import dev.parley.spi.Admission;
import dev.parley.spi.BusMessage;
import dev.parley.spi.Connection;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Host;
import dev.parley.spi.Post;
import dev.parley.spi.Session;
import dev.parley.spi.Store;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine's facade: namespaces and sessions, over the {@link Components} it runs on, the {@link Delivery}
 * of posts and emits through the store, and the {@link StatsCollector}. Starts and closes by the rules of
 * {@link Lifecycle}: once, idempotent, not restartable.
 */
public final class DefaultChatServer implements ChatServer {
  private static final Logger log = LoggerFactory.getLogger(DefaultChatServer.class);

  private final ChatServerConfig config;
  private final JsonMapper mapper;
  private final Map<String, DefaultNamespace> namespaces = new ConcurrentHashMap<>();
  // Wakes close() as posts, sessions and recovery saves come down to zero.
  private final Settling settling = new Settling();
  private final Components components;
  private final Recovery recovery;
  private final Delivery delivery;
  private final Cluster cluster;
  private final ClusterOperations clusterOperations;
  private final Presences presences;
  private final Sessions sessions;
  private final StatsCollector stats;
  private final Outbox.Limits outboxLimits;
  private final Observers observers = new Observers();
  private final ServerLifecycle lifecycle = new ServerLifecycle();
  private final Sinks.Empty<Void> closed = Sinks.empty();

  public DefaultChatServer(ServerParts parts) {
    this.config = parts.config();
    this.mapper = parts.jsonMapper() != null ? parts.jsonMapper() : JsonMapper.builder().build();
    this.components = new Components(parts, new EngineTransportContext(this));
    this.recovery = new Recovery(components::store, config.maxDisconnectionDuration(), config.connectTimeout(),
        mapper, settling);
    this.delivery = new Delivery(namespaces, components, settling, config.nodeId(), observers);
    this.sessions = new Sessions(config.maxConnectionsPerAddress(), settling);
    this.stats = new StatsCollector(namespaces.values(), sessions, components, recovery);
    // The flush pool is made when the server starts (again on each start): looked up per hand-off.
    this.outboxLimits = new Outbox.Limits(this::flush,
        config.outboundBufferSize(), config.outboundBufferBytes(), stats.outboundBytes(), config.nodeOutboundBytes());
    this.cluster = new Cluster(this);
    this.clusterOperations = new ClusterOperations(this, cluster);
    this.presences = new Presences(this, cluster);
    namespace("/");
  }

  // ---- lifecycle ----

  @Override
  public ChatServer start() {
    lifecycle.start();
    return this;
  }

  @Override
  public void close() {
    if (lifecycle.state() == Lifecycle.State.STOPPING) {
      // Another thread is closing and waits for the handler threads: one of them calling close() must not
      // wait in turn for that close, or shutdown stalls until the handler pool's deadline.
      return;
    }
    try {
      lifecycle.stop();
    } finally {
      closed.tryEmitEmpty();
    }
  }

  @Override
  public Mono<Void> onClose() {
    return closed.asMono();
  }

  @Override
  public boolean isRunning() {
    return lifecycle.isRunning();
  }

  /** Throws if the server can no longer be used, or cannot be yet; a closing server can still be used. */
  void checkOpen() {
    Lifecycle.State now = lifecycle.state();
    if (now == Lifecycle.State.STOPPED || now == Lifecycle.State.FAILED) {
      throw new IllegalStateException("ChatServer is closed");
    }
    if (now == Lifecycle.State.NEW || now == Lifecycle.State.STARTING) {
      throw new IllegalStateException("ChatServer is not started; call start() first");
    }
  }

  /** Start and graceful close: components up, then posts, sessions and recovery saves drained before release. */
  private final class ServerLifecycle extends Lifecycle {
    ServerLifecycle() {
      super("ChatServer");
    }

    @Override
    protected void doStart() {
      components.start(delivery::onMessage, DefaultChatServer.this::onBus);
      cluster.start(components.timers().uncounted());
      log.info("Parley started: node {}, {}{}", config.nodeId(), components.describe(),
          address().map(a -> ", listening on " + a).orElse(""));
    }

    @Override
    protected void doStop() {
      long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
      log.debug("closing: {} posts in flight, {} sessions", delivery.postsInFlight(), sessions.count());
      settling.await(() -> delivery.postsInFlight() == 0, deadline);
      sessions.end(deadline);
      // The store stops below: recoverable channels must be saved first, so that their clients can come
      // back to this server restarted, or to another node.
      long second = Duration.ofSeconds(1).toNanos();
      settling.await(() -> recovery.savesInFlight() == 0, Math.max(deadline, System.nanoTime() + second));
      // Once this node's channels have gone (the other nodes told of their leaves), and before the store stops.
      cluster.stop();
      presences.close();
      components.release(Duration.ofNanos(Math.max(deadline - System.nanoTime(), second)));
      log.info("Parley stopped: node {}", config.nodeId());
    }

    @Override
    protected void abandonStart(Throwable failure) {
      try {
        components.release(Duration.ofSeconds(5));
      } finally {
        closed.tryEmitEmpty();
      }
    }
  }

  // ---- model ----

  @Override
  public ChatServerConfig config() {
    return config;
  }

  @Override
  public Optional<InetSocketAddress> address() {
    Host current = components.host();
    return current == null ? Optional.empty() : current.address();
  }

  @Override
  public Namespace namespace(String name) {
    Names.namespace(name);
    return namespaces.computeIfAbsent(name, n -> new DefaultNamespace(n, this));
  }

  @Override
  public Namespace namespace() {
    return namespaces.get("/");
  }

  @Nullable DefaultNamespace existingNamespace(String name) {
    return namespaces.get(name);
  }

  @Override
  public Room room(String name) {
    return namespace().room(name);
  }

  @Override
  public Broadcast to(String room) {
    return namespace().to(room);
  }

  @Override
  public Broadcast except(String room) {
    return namespace().except(room);
  }

  @Override
  public Mono<Void> emit(String event, Object... args) {
    return namespace().emit(event, args);
  }

  @Override
  public Mono<Void> serverSideEmit(String event, Object... args) {
    return namespace().serverSideEmit(event, args);
  }

  @Override
  public Mono<List<Reply>> serverSideEmitWithAck(Duration timeout, String event, Object... args) {
    return namespace().serverSideEmitWithAck(timeout, event, args);
  }

  @Override
  public Set<String> nodes() {
    return cluster.nodes();
  }

  // ---- engine ----

  ClusterOperations clusterOperations() {
    return clusterOperations;
  }

  Presences presences() {
    return presences;
  }

  // Every message tells the Cluster a node is alive; emits for this node go on to Delivery.
  private void onBus(BusMessage message) {
    cluster.received(message);
    String target = message.target();
    if (BusMessage.EMIT.equals(message.kind()) && (target == null || target.equals(config.nodeId()))) {
      delivery.onBus(message);
    }
  }

  JsonMapper mapper() {
    return mapper;
  }

  /**
   * What every session's outbox shares: its bounds, and where it writes (the flush pool, which never blocks, so
   * a small pool of platform threads).
   */
  Outbox.Limits outboxLimits() {
    return outboxLimits;
  }

  // Hands an outbox's pass to the flush pool; refused when there is none (not started, or stopped), so that the
  // outbox writes on the caller rather than fail.
  private void flush(Runnable pass) {
    Executor pool = components.flushExecutor();
    if (pool == null) {
      throw new RejectedExecutionException("no flush pool");
    }
    pool.execute(pass);
  }

  Executor handlerExecutor() {
    return components.handlerExecutor();
  }

  Scheduler handlerScheduler() {
    return components.handlerScheduler();
  }

  /** The timer scheduler, counting what waits on it for {@link ServerStats#timers()}; set once started. */
  Scheduler scheduler() {
    return components.timers();
  }

  Recovery recovery() {
    return recovery;
  }

  Store store() {
    return components.store();
  }

  /** See {@link Delivery#post}; refused once the server is closing. */
  Mono<Message> post(Post post) {
    if (!lifecycle.isRunning()) {
      checkOpen();
      throw new IllegalStateException("ChatServer is closing; posts are no longer accepted");
    }
    return delivery.post(post);
  }

  Mono<Void> publish(BusMessage message) {
    return delivery.publish(message);
  }

  void removeSession(DefaultSession session) {
    sessions.remove(session);
  }

  @Override
  public ServerStats stats() {
    return stats.snapshot();
  }

  @Override
  public Disposable observe(ServerObserver observer) {
    return observers.add(observer);
  }

  /** The observers to tell what happens; see {@link Observers}. */
  Observers observers() {
    return observers;
  }

  AtomicLong outboundBytes() {
    return stats.outboundBytes();
  }

  AtomicLong inboundBytes() {
    return stats.inboundBytes();
  }

  /** Counts one frame for {@code namespace} refused for want of inbound budget. */
  void countBusy(String namespace) {
    stats.countBusy();
    observers.eventRefused(knownNamespace(namespace), "server busy");
  }

  /** Counts one event (or CONNECT) for {@code namespace} rejected by its connection's rate limit. */
  void countRateLimited(String namespace) {
    stats.countRateLimited();
    observers.eventRefused(knownNamespace(namespace), "rate limited");
  }

  // A refused frame's namespace is the client's text, not yet checked against anything: observers (metric
  // tags) get only names the application made.
  private String knownNamespace(String name) {
    return namespaces.containsKey(name) ? name : "";
  }

  /** See {@link Sessions#admit}. */
  Optional<Admission> admit(String remoteIp) {
    return sessions.admit(remoteIp);
  }

  /** Registers a transport's new connection; throws once the server no longer accepts connections. */
  Session openSession(Connection connection, ConnectionInfo info, @Nullable Admission admission) {
    if (!lifecycle.isRunning()) {
      throw new IllegalStateException("server is not accepting connections");
    }
    DefaultSession session = new DefaultSession(this, connection, info);
    // Before the session can end (its connect deadline starts in open): observers see the open first.
    observers.connectionOpened(info.transport());
    return sessions.open(session, admission);
  }
}
