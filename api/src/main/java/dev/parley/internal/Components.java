package dev.parley.internal;

import dev.parley.ChatServerConfig;
import dev.parley.Message;
import dev.parley.error.ParleyException;
import dev.parley.internal.support.HandlerExecutors;
import dev.parley.internal.support.TimerCounter;
import dev.parley.spi.BusMessage;
import dev.parley.spi.Host;
import dev.parley.spi.Store;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * What a server runs on: its executors and timer scheduler, the store, the transports and the host, each
 * given by the builder, discovered ({@link Providers} owns that policy) or made here. {@link #start} acquires
 * them in that order and {@link #release} lets go of them in reverse, stopping only what this server made.
 *
 * <p>Threading: {@code start} and {@code release} run under the server's lifecycle lock; the getters are read
 * from any thread once the server is started (the lifecycle's volatile state publishes them).
 */
final class Components {
  private static final Logger log = LoggerFactory.getLogger(Components.class);

  private final ServerParts parts;
  private final ChatServerConfig config;
  private final TransportContext context;
  private @Nullable ExecutorService ownExecutor;
  private @Nullable Executor handlerExecutor;
  // Read by outboxes on any thread, at each hand-off.
  private volatile @Nullable ExecutorService flushExecutor;
  private @Nullable Scheduler handlerScheduler;
  // Read by stats() from any thread, also while start() runs.
  private volatile @Nullable TimerCounter timers;
  private @Nullable Store store;
  private final List<Transport> transports = new CopyOnWriteArrayList<>();
  private volatile @Nullable Host host;
  private final List<Disposable> subscriptions = new ArrayList<>();

  Components(ServerParts parts, TransportContext context) {
    this.parts = parts;
    this.config = parts.config();
    this.context = context;
  }

  /**
   * Acquires and starts everything, each step bounded by {@link ChatServerConfig#startTimeout()}, and feeds
   * the store's posts and bus messages to the two consumers. On failure, what was acquired stays here for
   * {@link #release} to let go of.
   *
   * @throws ParleyException naming the component that failed to start
   */
  void start(Consumer<Message> onMessage, Consumer<BusMessage> onBus) {
    Duration timeout = config.startTimeout();
    if (parts.executor() != null) {
      handlerExecutor = parts.executor();
    } else {
      ownExecutor = HandlerExecutors.create(config);
      handlerExecutor = ownExecutor;
    }
    handlerScheduler = Schedulers.fromExecutor(handlerExecutor);
    flushExecutor = HandlerExecutors.flushPool();
    timers = new TimerCounter(parts.scheduler() == null ? Schedulers.newSingle("parley-timer", true)
        : parts.scheduler());

    Store chosen = parts.store() != null ? parts.store() : Providers.chooseStore(config, context);
    store = chosen;
    await(chosen.start(), timeout, "store");
    subscriptions.add(chosen.feed().subscribe(onMessage,
        e -> log.error("the store's message feed failed; live delivery of posts has stopped", e)));
    subscriptions.add(chosen.bus().messages().subscribe(onBus,
        e -> log.error("the store's bus failed; emits from other nodes no longer arrive", e)));

    transports.addAll(Providers.chooseTransports(config, parts.transports(), context));
    for (Transport transport : transports) {
      await(transport.start(context), timeout, "transport " + transport.name());
    }
    Host chosenHost = parts.host() != null ? parts.host() : Providers.chooseHost(config, transports, context);
    host = chosenHost;
    if (chosenHost != null) {
      await(chosenHost.start(List.copyOf(transports), context), timeout, "host");
    }
  }

  /** Stops, in reverse order, whatever was started; each step is bounded and its failure only logged. */
  void release(Duration timeout) {
    Host current = host;
    if (current != null) {
      quietly(current.stop(timeout), timeout, "host");
    }
    for (Transport transport : transports) {
      quietly(transport.stop(), timeout, "transport " + transport.name());
    }
    subscriptions.forEach(Disposable::dispose);
    subscriptions.clear();
    if (store != null && parts.store() == null) {
      quietly(store.stop(), timeout, "store");
    }
    if (ownExecutor != null) {
      HandlerExecutors.shutdown(ownExecutor, timeout);
    }
    if (flushExecutor != null) {
      HandlerExecutors.shutdown(flushExecutor, timeout);
    }
    TimerCounter counter = timers;
    if (counter != null && parts.scheduler() == null) {
      counter.dispose();
    }
  }

  /** For the start log line: which components this server runs on. */
  String describe() {
    Host current = host;
    return "transports " + transports.stream().map(Transport::name).toList() + ", store "
        + (store == null ? "none" : store.getClass().getSimpleName()) + ", host "
        + (current == null ? "none" : current.getClass().getSimpleName());
  }

  Executor handlerExecutor() {
    return handlerExecutor;
  }

  Scheduler handlerScheduler() {
    return handlerScheduler;
  }

  /** The flush pool; null before the server starts. */
  @Nullable Executor flushExecutor() {
    return flushExecutor;
  }

  /** The timer scheduler, counting what waits on it; null before start. */
  @Nullable TimerCounter timers() {
    return timers;
  }

  Store store() {
    return store;
  }

  List<Transport> transports() {
    return transports;
  }

  @Nullable Host host() {
    return host;
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

  private static void quietly(Mono<Void> step, Duration timeout, String what) {
    try {
      step.block(timeout);
    } catch (RuntimeException e) {
      log.warn("{} did not stop cleanly", what, e);
    }
  }
}
