package dev.parley;

import dev.parley.internal.DefaultChatServer;
import dev.parley.internal.ServerParts;
import dev.parley.protocol.DisconnectReason;
import dev.parley.spi.Host;
import dev.parley.spi.Store;
import dev.parley.spi.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Parley chat server: namespaces of channels, rooms with durable history, the transports clients
 * connect through, the store that keeps messages and links nodes, and the host that serves it all.
 *
 * <pre>{@code
 * try (ChatServer server = ChatServer.builder()
 *     .onConnection(channel -> {
 *       channel.join("lobby", Replay.last(50));
 *       channel.on("chat", (ch, event) ->
 *           ch.post("lobby", "chat", event.arg(0)).subscribe(m -> event.ack(m.id())));
 *     })
 *     .start()) {
 *   server.to("lobby").emit("notice", "welcome");
 *   ...
 * }
 * }</pre>
 *
 * <h3>Discovery</h3>
 * Transports, the store and the host are found with {@link java.util.ServiceLoader} unless given to the
 * builder. With nothing configured, every transport found is used, the store found (the in-memory one
 * when nothing else is there) and the host found if a transport needs one. A provider asked for by name
 * that is absent fails {@link #start()} with a {@link dev.parley.error.ProviderNotFoundException} that
 * names the artifact to add.
 *
 * <h3>Lifecycle</h3>
 * Built, then {@link #start() started} once, then {@link #close() closed} once (later calls do
 * nothing). {@code close()} stops accepting connections, lets in-flight posts finish, disconnects
 * every channel with {@link DisconnectReason#SERVER_SHUTTING_DOWN} (saving the recoverable ones, so that
 * their clients can resume on this server restarted or on another node: see
 * {@link Namespace#connectionStateRecovery(boolean)}), stops the host, transports and store it created,
 * and ends every thread it started. Components given to the builder ready-made (a
 * store, an executor, a scheduler) are not closed: their owner closes them.
 *
 * <p>Thread-safe.
 */
public interface ChatServer extends Emitter, AutoCloseable {

  /** A builder with the default config and nothing configured. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the store, transports and host, and blocks until they are ready (at most
   * {@link ChatServerConfig#startTimeout()}). Does nothing on a server that is already started; a server
   * cannot be restarted once closed or once its start failed: build a new one. May be called from any
   * thread; a {@link #close()} from another thread waits until the start has finished, then undoes it.
   *
   * @return this server
   * @throws IllegalStateException if the server is closing, closed, or its start failed
   * @throws dev.parley.error.ProviderNotFoundException if a provider that is needed is missing
   * @throws dev.parley.error.ParleyException if a component failed to start; what was started is stopped again
   */
  ChatServer start();

  /**
   * Closes the server gracefully and blocks until done (at most
   * {@link ChatServerConfig#shutdownTimeout()} for the graceful part). Idempotent: a second call returns once
   * the first has finished, except that a call made while the server is already closing returns at once, so
   * that a handler calling it does not wait for the close that waits for that handler; on a server never
   * started it only marks it closed.
   */
  @Override
  void close();

  /** Completes when the server has closed. */
  Mono<Void> onClose();

  /** Whether the server is started and not closing. */
  boolean isRunning();

  /** The config the server runs with. */
  ChatServerConfig config();

  /** The address the host is listening on, once started, if there is a host. */
  Optional<InetSocketAddress> address();

  /**
   * What this node holds for its clients right now: sessions, channels, room memberships, pending acks,
   * queued packets, timers, and what each transport holds open. Meant for monitoring and for tests that
   * check nothing is left behind once the clients have gone ({@link ServerStats#isIdle()}).
   *
   * <p>Never blocks; may be called from any thread, in any state (all zero before {@link #start()}). Its
   * cost grows with the number of connections on this node (it sums per-connection counts), so call it
   * for a snapshot, not on a hot path.
   *
   * @return a new immutable snapshot
   */
  ServerStats stats();

  /**
   * Registers an observer of what happens on this node from now on: connections, events in and out,
   * refusals, recoveries, replays, store appends and ack round trips (see {@link ServerObserver}, whose
   * contract the observer must keep: fast, thread-safe, never throwing). Several observers may be registered;
   * each is called in registration order. With none registered, the engine's cost is one volatile read per
   * event.
   *
   * <pre>{@code
   * Disposable registration = server.observe(new ServerObserver() {
   *   @Override
   *   public void connectionOpened(String transport) {
   *     opened.increment();
   *   }
   * });
   * ...
   * registration.dispose();
   * }</pre>
   *
   * <p>May be called from any thread, in any state, before {@link #start()} too.
   *
   * @param observer the observer; registering the same one twice makes it called twice
   * @return the registration: {@link Disposable#dispose()} unregisters the observer (idempotent), after which
   *     no new call to it starts
   * @throws NullPointerException if {@code observer} is null
   */
  Disposable observe(ServerObserver observer);

  /**
   * A namespace, created on first use.
   *
   * @throws IllegalArgumentException if the name does not start with {@code /} or is invalid
   */
  Namespace namespace(String name);

  /** The default namespace, {@code "/"}. */
  Namespace namespace();

  /** A room of the default namespace. */
  Room room(String name);

  /** A broadcast to a room of the default namespace. */
  Broadcast to(String room);

  /** A broadcast to every channel of the default namespace except the members of a room. */
  Broadcast except(String room);

  /** Emits to every channel of the default namespace, on every node. */
  @Override
  Mono<Void> emit(String event, Object... args);

  /** {@link Namespace#serverSideEmit} of the default namespace. */
  Mono<Void> serverSideEmit(String event, Object... args);

  /** {@link Namespace#serverSideEmitWithAck} of the default namespace. */
  Mono<List<Reply>> serverSideEmitWithAck(Duration timeout, String event, Object... args);

  /**
   * The nodes sharing this server's store that it knows to be alive, its own id included: those it has heard
   * from within {@link ChatServerConfig#clusterNodeTimeout()} and that did not say they were leaving. A node
   * learns of the others within one trip over the bus after it starts, as they answer its greeting.
   *
   * @return a snapshot, in no particular order; only this node's id before start and after close
   */
  Set<String> nodes();

  /**
   * Builds a {@link ChatServer}. Not thread-safe; each {@link #build()} makes a new server.
   */
  final class Builder {
    private ChatServerConfig config = ChatServerConfig.defaults();
    private final List<Transport> transports = new ArrayList<>();
    private @Nullable Store store;
    private @Nullable Host host;
    private @Nullable Executor executor;
    private @Nullable Scheduler scheduler;
    private @Nullable JsonMapper jsonMapper;
    private final Map<String, List<Consumer<Namespace>>> namespaces = new LinkedHashMap<>();

    private Builder() {
    }

    /** Replaces the config. */
    public Builder config(ChatServerConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Changes the config: {@code builder.config(c -> c.port(0).ackTimeout(Duration.ofSeconds(2)))}. */
    public Builder config(Consumer<ChatServerConfig.Builder> changes) {
      ChatServerConfig.Builder b = config.toBuilder();
      changes.accept(b);
      this.config = b.build();
      return this;
    }

    /** Uses the discovered transport with this name (may be called for several). */
    public Builder transport(String name) {
      Objects.requireNonNull(name, "name");
      List<String> names = new ArrayList<>(config.transports());
      names.add(name);
      this.config = config.toBuilder().transports(names).build();
      return this;
    }

    /** Uses this ready-made transport; the server starts and stops it. */
    public Builder transport(Transport transport) {
      transports.add(Objects.requireNonNull(transport, "transport"));
      return this;
    }

    /** Uses the discovered store with this name. */
    public Builder store(String name) {
      this.config = config.toBuilder().store(Objects.requireNonNull(name, "name")).build();
      return this;
    }

    /**
     * Uses this store instance. The server starts it if needed but never stops it: several servers may
     * share one store (several nodes in one process), and its owner closes it.
     */
    public Builder store(Store store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Uses the discovered host with this name. */
    public Builder host(String name) {
      this.config = config.toBuilder().host(Objects.requireNonNull(name, "name")).build();
      return this;
    }

    /** Uses this ready-made host; the server starts and stops it. */
    public Builder host(Host host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Runs handlers on this executor instead of the server's own; the server does not shut it down. */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Runs timers (ack timeouts) on this scheduler, a virtual-time one in tests; not disposed by the server. */
    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Converts event arguments with this mapper instead of a default {@code JsonMapper}. */
    public Builder jsonMapper(JsonMapper jsonMapper) {
      this.jsonMapper = Objects.requireNonNull(jsonMapper, "jsonMapper");
      return this;
    }

    /** Adds middleware to the default namespace. */
    public Builder use(Middleware middleware) {
      Objects.requireNonNull(middleware, "middleware");
      return namespace("/", ns -> ns.use(middleware));
    }

    /** Adds a connection handler to the default namespace. */
    public Builder onConnection(ConnectionHandler handler) {
      Objects.requireNonNull(handler, "handler");
      return namespace("/", ns -> ns.onConnection(handler));
    }

    /** Creates a namespace and sets it up (middleware, handlers) when the server is built. */
    public Builder namespace(String name, Consumer<Namespace> setup) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(setup, "setup");
      namespaces.computeIfAbsent(name, n -> new ArrayList<>()).add(setup);
      return this;
    }

    /**
     * Builds the server, not yet started.
     *
     * @throws IllegalArgumentException if a namespace name is invalid
     */
    public ChatServer build() {
      ServerParts parts = new ServerParts(config, List.copyOf(transports), store, host, executor,
          scheduler, jsonMapper);
      DefaultChatServer server = new DefaultChatServer(parts);
      namespaces.forEach((name, setups) -> {
        Namespace ns = server.namespace(name);
        setups.forEach(setup -> setup.accept(ns));
      });
      return server;
    }

    /** Builds and starts the server: {@code build().start()}. */
    public ChatServer start() {
      return build().start();
    }
  }
}
