package dev.parley.internal;

import dev.parley.Broadcast;
import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.Message;
import dev.parley.Namespace;
import dev.parley.Room;
import dev.parley.ServerStats;
import dev.parley.error.ParleyException;
import dev.parley.internal.recovery.Recovery;
import dev.parley.internal.support.AddressLimits;
import dev.parley.internal.support.HandlerExecutors;
import dev.parley.internal.support.Settling;
import dev.parley.internal.support.TimerCounter;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Names;
import dev.parley.protocol.Packet;
import dev.parley.spi.Admission;
import dev.parley.spi.BusMessage;
import dev.parley.spi.Connection;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Host;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Post;
import dev.parley.spi.Session;
import dev.parley.spi.Store;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/** The engine: lifecycle, namespaces, sessions, and the links to the store, transports and host. */
public final class DefaultChatServer implements ChatServer {
  private static final Logger log = LoggerFactory.getLogger(DefaultChatServer.class);

  private enum State { NEW, STARTING, STARTED, STOPPING, STOPPED, FAILED }

  private final ServerParts parts;
  private final ChatServerConfig config;
  private final JsonMapper mapper;
  private final Map<String, DefaultNamespace> namespaces = new ConcurrentHashMap<>();
  private final Set<DefaultSession> sessions = ConcurrentHashMap.newKeySet();
  private final AtomicInteger postsInFlight = new AtomicInteger();
  // Wakes close() as posts, sessions and recovery saves come down to zero.
  private final Settling settling = new Settling();
  private final Recovery recovery;
  private final TransportContext transportContext = new EngineTransportContext(this);
  private final AddressLimits addressLimits;
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder busy = new LongAdder();
  // Bytes queued for every connection, and bytes of frames admitted but not yet handled (the node budgets).
  private final AtomicLong outboundBytes = new AtomicLong();
  private final AtomicLong inboundBytes = new AtomicLong();
  private final Object lifecycle = new Object();
  private final Sinks.Empty<Void> closed = Sinks.empty();
  private volatile State state = State.NEW;

  // Set during start().
  private @Nullable ExecutorService ownExecutor;
  private @Nullable Executor handlerExecutor;
  private @Nullable ExecutorService flushExecutor;
  private @Nullable Scheduler handlerScheduler;
  private @Nullable Scheduler scheduler;
  private volatile @Nullable TimerCounter timers;
  private boolean ownScheduler;
  private @Nullable Store store;
  private boolean ownStore;
  // Read by stats() from any thread while start() may still be adding.
  private final List<Transport> transports = new CopyOnWriteArrayList<>();
  private @Nullable Host host;
  private final List<Disposable> subscriptions = new ArrayList<>();

  public DefaultChatServer(ServerParts parts) {
    this.parts = parts;
    this.config = parts.config();
    this.mapper = parts.jsonMapper() != null ? parts.jsonMapper() : JsonMapper.builder().build();
    this.addressLimits = new AddressLimits(config.maxConnectionsPerAddress());
    this.recovery = new Recovery(this::store, config.maxDisconnectionDuration(), mapper, settling);
    namespace("/");
  }

  // ---- lifecycle ----

  @Override
  public ChatServer start() {
    synchronized (lifecycle) {
      switch (state) {
        case NEW -> state = State.STARTING;
        case STARTED, STARTING -> throw new IllegalStateException("ChatServer already started");
        default -> throw new IllegalStateException("ChatServer is closed; build a new one");
      }
      try {
        doStart();
        state = State.STARTED;
      } catch (RuntimeException e) {
        state = State.FAILED;
        release(Duration.ofSeconds(5));
        closed.tryEmitEmpty();
        throw e;
      }
    }
    log.info("Parley started: node {}, transports {}, store {}, host {}{}", config.nodeId(),
        transports.stream().map(Transport::name).toList(), store.getClass().getSimpleName(),
        host == null ? "none" : host.getClass().getSimpleName(),
        address().map(a -> ", listening on " + a).orElse(""));
    return this;
  }

  private void doStart() {
    Duration timeout = config.startTimeout();
    if (parts.executor() != null) {
      handlerExecutor = parts.executor();
    } else {
      ownExecutor = HandlerExecutors.create(config);
      handlerExecutor = ownExecutor;
    }
    handlerScheduler = Schedulers.fromExecutor(handlerExecutor);
    flushExecutor = HandlerExecutors.flushPool();
    ownScheduler = parts.scheduler() == null;
    TimerCounter counted = new TimerCounter(ownScheduler ? Schedulers.newSingle("parley-timer", true)
        : parts.scheduler());
    timers = counted;
    scheduler = counted;

    ownStore = parts.store() == null;
    store = ownStore ? Providers.chooseStore(config, transportContext) : parts.store();
    await(store.start(), timeout, "store");
    subscriptions.add(store.feed().subscribe(this::onMessage,
        e -> log.error("the store's message feed failed; live delivery of posts has stopped", e)));
    subscriptions.add(store.bus().messages().subscribe(this::onBus,
        e -> log.error("the store's bus failed; emits from other nodes no longer arrive", e)));

    transports.addAll(Providers.chooseTransports(config, parts.transports(), transportContext));
    for (Transport transport : transports) {
      await(transport.start(transportContext), timeout, "transport " + transport.name());
    }
    host = parts.host() != null ? parts.host() : Providers.chooseHost(config, transports, transportContext);
    if (host != null) {
      await(host.start(List.copyOf(transports), transportContext), timeout, "host");
    }
  }

  private static void await(Mono<Void> step, Duration timeout, String what) {
    try {
      step.block(timeout);
    } catch (ParleyException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ParleyException(what + " failed to start: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    synchronized (lifecycle) {
      if (state == State.NEW) {
        state = State.STOPPED;
        closed.tryEmitEmpty();
        return;
      }
      if (state != State.STARTED) {
        return;
      }
      state = State.STOPPING;
    }
    long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
    log.debug("closing: {} posts in flight, {} sessions", postsInFlight.get(), sessions.size());
    settling.await(() -> postsInFlight.get() == 0, deadline);
    for (DefaultSession session : List.copyOf(sessions)) {
      session.shutdown();
    }
    settling.await(sessions::isEmpty, deadline);
    for (DefaultSession session : List.copyOf(sessions)) {
      session.disconnect(DisconnectReason.SERVER_SHUTTING_DOWN);
    }
    // The store stops below: recoverable channels must be saved first, so that their clients can come
    // back to this server restarted, or to another node.
    settling.await(() -> recovery.savesInFlight() == 0,
        Math.max(deadline, System.nanoTime() + Duration.ofSeconds(1).toNanos()));
    release(Duration.ofNanos(Math.max(deadline - System.nanoTime(), Duration.ofSeconds(1).toNanos())));
    synchronized (lifecycle) {
      state = State.STOPPED;
    }
    closed.tryEmitEmpty();
    log.info("Parley stopped: node {}", config.nodeId());
  }

  /** Stops, in reverse order, whatever was started; each step is bounded and its failure only logged. */
  private void release(Duration timeout) {
    if (host != null) {
      quietly(host.stop(timeout), timeout, "host");
    }
    for (Transport transport : transports) {
      quietly(transport.stop(), timeout, "transport " + transport.name());
    }
    subscriptions.forEach(Disposable::dispose);
    subscriptions.clear();
    if (store != null && ownStore) {
      quietly(store.stop(), timeout, "store");
    }
    if (ownExecutor != null) {
      HandlerExecutors.shutdown(ownExecutor, timeout);
    }
    if (flushExecutor != null) {
      HandlerExecutors.shutdown(flushExecutor, timeout);
    }
    if (scheduler != null && ownScheduler) {
      scheduler.dispose();
    }
  }

  private static void quietly(Mono<Void> step, Duration timeout, String what) {
    try {
      step.block(timeout);
    } catch (RuntimeException e) {
      log.warn("{} did not stop cleanly", what, e);
    }
  }

  @Override
  public Mono<Void> onClose() {
    return closed.asMono();
  }

  @Override
  public boolean isRunning() {
    return state == State.STARTED;
  }

  /** Throws if the server can no longer be used. */
  void checkOpen() {
    State now = state;
    if (now == State.STOPPED || now == State.FAILED) {
      throw new IllegalStateException("ChatServer is closed");
    }
    if (now == State.NEW || now == State.STARTING) {
      throw new IllegalStateException("ChatServer is not started; call start() first");
    }
  }

  // ---- model ----

  @Override
  public ChatServerConfig config() {
    return config;
  }

  @Override
  public Optional<InetSocketAddress> address() {
    Host current = host;
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

  // ---- engine ----

  JsonMapper mapper() {
    return mapper;
  }

  /** Where outboxes write (see {@link Outbox}); never blocks, so a small pool of platform threads. */
  Executor flushExecutor() {
    return flushExecutor;
  }

  Executor handlerExecutor() {
    return handlerExecutor;
  }

  Scheduler handlerScheduler() {
    return handlerScheduler;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  Recovery recovery() {
    return recovery;
  }

  Store store() {
    return store;
  }

  Mono<Message> post(Post post) {
    State now = state;
    if (now != State.STARTED) {
      checkOpen();
      throw new IllegalStateException("ChatServer is closing; posts are no longer accepted");
    }
    postsInFlight.incrementAndGet();
    Mono<Message> result = store.append(post)
        .doFinally(signal -> {
          if (postsInFlight.decrementAndGet() == 0) {
            settling.changed();
          }
        })
        .publishOn(handlerScheduler)
        .cache();
    result.subscribe(m -> { }, e -> log.debug("post to {} failed", Names.quote(post.room()), e));
    return result;
  }

  Mono<Void> publish(BusMessage message) {
    Mono<Void> result = store.bus().publish(message).cache();
    result.subscribe(v -> { }, e -> log.warn("emit to other nodes failed", e));
    return result;
  }

  // A failure while delivering one message must not cancel the feed: later posts would never arrive.
  private void onMessage(Message message) {
    DefaultNamespace namespace = namespaces.get(message.namespace());
    if (namespace != null) {
      try {
        namespace.onMessage(message);
      } catch (RuntimeException e) {
        log.error("delivering message {} of {} failed", message.id(), Names.quote(message.room()), e);
      }
    }
  }

  private void onBus(BusMessage message) {
    if (message.origin().equals(config.nodeId())) {
      return;
    }
    DefaultNamespace namespace = namespaces.get(message.namespace());
    if (namespace != null) {
      try {
        namespace.deliverLocal(message.rooms(), message.except(), new Outgoing(
            new Packet.Event(message.namespace(), message.event(), message.args(), null, null,
                namespace.recoveryEnabled())));
      } catch (RuntimeException e) {
        log.error("delivering an emit from node {} failed", message.origin(), e);
      }
    }
  }

  void removeSession(DefaultSession session) {
    sessions.remove(session);
    if (sessions.isEmpty()) {
      settling.changed();
    }
  }

  @Override
  public ServerStats stats() {
    int channels = 0;
    int rooms = 0;
    int memberships = 0;
    for (DefaultNamespace namespace : namespaces.values()) {
      channels += namespace.channelCount();
      rooms += namespace.roomCount();
      memberships += namespace.membershipCount();
    }
    int pendingAcks = 0;
    int acksOwed = 0;
    int queued = 0;
    for (DefaultSession session : sessions) {
      queued += session.queued();
      for (DefaultChannel channel : session.channels()) {
        pendingAcks += channel.pendingAcks();
        acksOwed += channel.acksOwed();
      }
    }
    Map<String, Integer> byTransport = new HashMap<>();
    for (Transport transport : transports) {
      try {
        transport.stats().forEach((kind, count) -> byTransport.put(transport.name() + "." + kind, count));
      } catch (RuntimeException e) {
        log.debug("transport {} could not report its stats", transport.name(), e);
      }
    }
    TimerCounter counter = timers;
    return new ServerStats(sessions.size(), channels, rooms, memberships, pendingAcks, acksOwed, queued,
        outboundBytes.get(), inboundBytes.get(), counter == null ? 0 : counter.waiting(), addressLimits.addresses(),
        recovery.savesInFlight(), byTransport, rateLimited.sum(), busy.sum());
  }

  AtomicLong outboundBytes() {
    return outboundBytes;
  }

  AtomicLong inboundBytes() {
    return inboundBytes;
  }

  void countBusy() {
    busy.increment();
  }

  /** Counts one event rejected by its connection's rate limit. */
  void countRateLimited() {
    rateLimited.increment();
  }

  /** Whether {@code remoteIp} may open one more connection; the admission is held until released. */
  Optional<Admission> admit(String remoteIp) {
    Optional<Admission> admission = addressLimits.admit(remoteIp);
    if (admission.isEmpty()) {
      log.debug("{} holds {} connections, the limit: refused", remoteIp, config.maxConnectionsPerAddress());
    }
    return admission;
  }

  /** Registers a transport's new connection; throws once the server no longer accepts connections. */
  Session openSession(Connection connection, ConnectionInfo info, @Nullable Admission admission) {
    if (state != State.STARTED) {
      throw new IllegalStateException("server is not accepting connections");
    }
    DefaultSession session = new DefaultSession(this, connection, info);
    sessions.add(session);
    session.opened(admission);
    return session;
  }
}
