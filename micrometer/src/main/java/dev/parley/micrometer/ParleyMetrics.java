package dev.parley.micrometer;

import dev.parley.ChatServer;
import dev.parley.ServerObserver;
import dev.parley.ServerStats;
import dev.parley.protocol.DisconnectReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * Micrometer meters for one Parley {@link ChatServer} node: gauges of what it holds now (from
 * {@link ChatServer#stats()}) and counters, timers and a distribution of what happens on it (from a
 * {@link ServerObserver} it registers). Needs no Spring: any {@link MeterRegistry} will do.
 *
 * <pre>{@code
 * ChatServer server = ChatServer.builder().start();
 * ParleyMetrics metrics = new ParleyMetrics(server);
 * metrics.bindTo(registry);   // a PrometheusMeterRegistry, a SimpleMeterRegistry, Metrics.globalRegistry...
 * ...
 * metrics.close();            // stops counting, removes the meters
 * server.close();
 * }</pre>
 *
 * <h3>Meters</h3>
 * <table>
 *   <caption>The meters, each with the binder's common tags too</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>meaning</th></tr>
 *   <tr><td>{@code parley.sessions}</td><td>gauge</td><td>{@code transport}</td><td>client connections open,
 *     as each transport counts them: {@code websocket} (WebSockets), {@code polling} (Engine.IO long-polling
 *     sessions, upgraded ones included, which then also count under {@code websocket}), {@code sse} (event
 *     streams); zero for a transport the server does not have</td></tr>
 *   <tr><td>{@code parley.channels}</td><td>gauge</td><td></td><td>channels connected, over all
 *     namespaces</td></tr>
 *   <tr><td>{@code parley.rooms}</td><td>gauge</td><td></td><td>rooms with a member on this node, each
 *     channel's own room included</td></tr>
 *   <tr><td>{@code parley.room.memberships}</td><td>gauge</td><td></td><td>memberships of channels in
 *     rooms</td></tr>
 *   <tr><td>{@code parley.acks.pending}</td><td>gauge</td><td></td><td>acks the server awaits from clients
 *     ({@code emitWithAck})</td></tr>
 *   <tr><td>{@code parley.acks.owed}</td><td>gauge</td><td></td><td>client events awaiting the server's
 *     ack</td></tr>
 *   <tr><td>{@code parley.outbound.packets}</td><td>gauge (packets)</td><td></td><td>packets queued for
 *     clients, not yet written</td></tr>
 *   <tr><td>{@code parley.outbound.bytes}</td><td>gauge (bytes)</td><td></td><td>bytes of those
 *     packets</td></tr>
 *   <tr><td>{@code parley.inbound.bytes}</td><td>gauge (bytes)</td><td></td><td>bytes read from clients,
 *     not yet handled</td></tr>
 *   <tr><td>{@code parley.connections.opened}</td><td>counter</td><td>{@code transport}</td><td>connections
 *     opened</td></tr>
 *   <tr><td>{@code parley.connections.closed}</td><td>counter</td><td>{@code transport}, {@code reason}</td>
 *     <td>connections closed, by Socket.IO disconnect reason ({@code transport close}, {@code ping timeout},
 *     {@code slow consumer}, ...)</td></tr>
 *   <tr><td>{@code parley.events.received}</td><td>counter</td><td>{@code namespace}</td><td>client events
 *     handed to the handlers</td></tr>
 *   <tr><td>{@code parley.events.sent}</td><td>counter</td><td>{@code namespace}</td><td>emits and
 *     broadcasts made by the application on this node</td></tr>
 *   <tr><td>{@code parley.deliveries}</td><td>counter</td><td>{@code namespace}</td><td>channels on this node
 *     those emits were queued for</td></tr>
 *   <tr><td>{@code parley.events.refused}</td><td>counter</td><td>{@code namespace}, {@code cause}</td>
 *     <td>client events refused: {@code rate limited} or {@code server busy}</td></tr>
 *   <tr><td>{@code parley.slow.consumers}</td><td>counter</td><td>{@code transport}</td><td>connections cut
 *     off because their outbound buffer was full</td></tr>
 *   <tr><td>{@code parley.recoveries}</td><td>counter</td><td>{@code outcome} = {@code success} |
 *     {@code failure}</td><td>connection state recovery attempts</td></tr>
 *   <tr><td>{@code parley.replay.messages}</td><td>distribution summary (messages)</td><td></td><td>messages
 *     sent by each history replay (join with a replay, recovery catch-up)</td></tr>
 *   <tr><td>{@code parley.store.append}</td><td>timer</td><td>{@code outcome} = {@code success} |
 *     {@code failure}</td><td>time the store took to append a post</td></tr>
 *   <tr><td>{@code parley.acks.round.trip}</td><td>timer</td><td>{@code outcome} = {@code answered} |
 *     {@code timeout}</td><td>time from a server {@code emitWithAck} to the client's ack or the
 *     timeout</td></tr>
 * </table>
 *
 * <h3>Cardinality</h3>
 * Tags never name a room, a channel or a user. The {@code namespace} tag takes the names of the first
 * {@value #MAX_NAMESPACES} namespaces it sees; every later one, and a refused event's namespace that the server
 * does not have, is tagged {@code other}. The {@code transport} tag takes at most {@value #MAX_TRANSPORTS}
 * transport names, {@code reason} and {@code cause} only the engine's known values; anything else is
 * {@code other}.
 *
 * <h3>Costs and timing</h3>
 * The gauges read one {@link ServerStats} snapshot, taken again at most once a second however many gauges a
 * scrape reads (a snapshot's cost grows with the connections on the node). The counters start at zero when
 * bound and count what happens from then on. The observer's work per event is a map lookup and an
 * increment.
 *
 * <p>Thread-safe. {@link #bindTo} may be called for several registries; {@link #close()} undoes every binding.
 */
public final class ParleyMetrics implements MeterBinder, AutoCloseable {
  /** Namespaces that get a tag value of their own; later ones are tagged {@code other}. */
  public static final int MAX_NAMESPACES = 32;
  /** Transports that get a tag value of their own; later ones are tagged {@code other}. */
  public static final int MAX_TRANSPORTS = 8;

  static final String OTHER = "other";
  private static final Duration STATS_MAX_AGE = Duration.ofSeconds(1);
  private static final Set<String> REASONS = Stream.of(DisconnectReason.values())
      .map(DisconnectReason::wireName)
      .collect(Collectors.toUnmodifiableSet());
  private static final Set<String> CAUSES = Set.of("rate limited", "server busy");
  // The transports' stats() keys that count client connections, and the tag each gets.
  private static final Map<String, String> SESSION_KEYS = Map.of(
      "websocket.sockets", "websocket",
      "websocket.polling", "polling",
      "sse.streams", "sse");

  private final ChatServer server;
  private final Tags tags;
  private final CachedStats stats;
  private final List<Binding> bindings = new ArrayList<>();
  private boolean closed;

  /**
   * Meters for {@code server}, with no common tags.
   *
   * @param server the server to measure, started or not
   * @throws NullPointerException if {@code server} is null
   */
  public ParleyMetrics(ChatServer server) {
    this(server, Tags.empty());
  }

  /**
   * Meters for {@code server}, each with {@code tags} too (a node name, an application name).
   *
   * @param server the server to measure, started or not
   * @param tags tags every meter gets
   * @throws NullPointerException if {@code server} or {@code tags} is null
   */
  public ParleyMetrics(ChatServer server, Iterable<Tag> tags) {
    this(server, tags, STATS_MAX_AGE);
  }

  // For tests: how old the gauges' snapshot may get.
  ParleyMetrics(ChatServer server, Iterable<Tag> tags, Duration statsMaxAge) {
    this.server = Objects.requireNonNull(server, "server");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    this.stats = new CachedStats(server, statsMaxAge.toNanos());
  }

  /**
   * Registers the meters in {@code registry} and starts counting what happens on the server from now on. May be
   * called for several registries, each then counting on its own; binding one registry twice counts into the
   * same meters twice.
   *
   * @param registry where to register the meters
   * @throws IllegalStateException if this binder is closed
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    // Under the lock, so that a close() meanwhile cannot miss this binding's meters or observer.
    synchronized (bindings) {
      if (closed) {
        throw new IllegalStateException("ParleyMetrics is closed");
      }
      Binding binding = new Binding(registry);
      bindings.add(binding);
      binding.start();
    }
  }

  /**
   * Stops counting (unregisters the observers) and removes every meter this binder registered from the
   * registries it was bound to. Idempotent.
   */
  @Override
  public void close() {
    List<Binding> ended;
    synchronized (bindings) {
      closed = true;
      ended = List.copyOf(bindings);
      bindings.clear();
    }
    ended.forEach(Binding::close);
  }

  /** A namespace's tag value. */
  private static String namespaceTag(String namespace) {
    return namespace.isEmpty() ? OTHER : namespace;
  }

  /** The meters of one registry, and the observer counting into them. */
  private final class Binding implements ServerObserver {
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Bounded<NamespaceMeters> namespaces = new Bounded<>(MAX_NAMESPACES, NamespaceMeters::new);
    private final Bounded<TransportMeters> transports = new Bounded<>(MAX_TRANSPORTS, TransportMeters::new);
    private final Counter recovered;
    private final Counter notRecovered;
    private final DistributionSummary replayed;
    private final Timer appended;
    private final Timer notAppended;
    private final Timer answered;
    private final Timer timedOut;
    private volatile @Nullable Disposable registration;
    private volatile boolean ended;

    Binding(MeterRegistry registry) {
      this.registry = registry;
      SESSION_KEYS.forEach((key, transport) -> gauge("parley.sessions",
          "Client connections open, as the transport counts them (an Engine.IO long-polling session upgraded to "
              + "a WebSocket counts as both)",
          null, Tags.of("transport", transport), s -> s.transports().getOrDefault(key, 0)));
      gauge("parley.channels", "Channels connected, over all namespaces", null, Tags.empty(),
          ServerStats::channels);
      gauge("parley.rooms", "Rooms with at least one member on this node, each channel's own room included", null,
          Tags.empty(), ServerStats::rooms);
      gauge("parley.room.memberships", "Memberships of channels in rooms, each channel's own room included", null,
          Tags.empty(), ServerStats::roomMemberships);
      gauge("parley.acks.pending", "Acks the server waits for from its clients", null, Tags.empty(),
          ServerStats::pendingAcks);
      gauge("parley.acks.owed", "Client events asking for an ack the server has not sent yet", null,
          Tags.empty(), ServerStats::acksOwed);
      gauge("parley.outbound.packets", "Packets queued for clients and not yet written", "packets", Tags.empty(),
          ServerStats::queuedPackets);
      gauge("parley.outbound.bytes", "Bytes of the packets queued for clients", BaseUnits.BYTES, Tags.empty(),
          ServerStats::queuedBytes);
      gauge("parley.inbound.bytes", "Bytes read from clients and not yet handled", BaseUnits.BYTES, Tags.empty(),
          ServerStats::inboundBytes);
      recovered = recoveries("success");
      notRecovered = recoveries("failure");
      replayed = add(DistributionSummary.builder("parley.replay.messages")
          .description("Posted messages sent to a client by one replay of a room's history")
          .baseUnit(BaseUnits.MESSAGES)
          .tags(tags)
          .register(registry));
      appended = append("success");
      notAppended = append("failure");
      answered = ackRoundTrip("answered");
      timedOut = ackRoundTrip("timeout");
    }

    void start() {
      registration = server.observe(this);
    }

    void close() {
      Disposable current = registration;
      if (current != null) {
        current.dispose();
      }
      List<Meter> registered;
      synchronized (meters) {
        ended = true;
        registered = List.copyOf(meters);
        meters.clear();
      }
      registered.forEach(registry::remove);
    }

    private void gauge(String name, String description, @Nullable String baseUnit, Tags extra,
                       ToDoubleFunction<ServerStats> value) {
      add(Gauge.builder(name, stats, cached -> value.applyAsDouble(cached.get()))
          .description(description)
          .baseUnit(baseUnit)
          .tags(tags)
          .tags(extra)
          .strongReference(true)
          .register(registry));
    }

    private Counter recoveries(String outcome) {
      return add(Counter.builder("parley.recoveries")
          .description("Connection state recovery attempts, by outcome")
          .tags(tags)
          .tag("outcome", outcome)
          .register(registry));
    }

    private Timer append(String outcome) {
      return add(Timer.builder("parley.store.append")
          .description("Time the store took to append a posted message")
          .tags(tags)
          .tag("outcome", outcome)
          .register(registry));
    }

    private Timer ackRoundTrip(String outcome) {
      return add(Timer.builder("parley.acks.round.trip")
          .description("Time from a server emitWithAck to the client's ack, or to its timeout")
          .tags(tags)
          .tag("outcome", outcome)
          .register(registry));
    }

    // A meter made by a call that raced close() is taken out again at once.
    private <M extends Meter> M add(M meter) {
      synchronized (meters) {
        if (!ended) {
          meters.add(meter);
          return meter;
        }
      }
      registry.remove(meter);
      return meter;
    }

    // ---- the observer ----

    @Override
    public void connectionOpened(String transport) {
      if (!ended) {
        transports.get(transport).opened.increment();
      }
    }

    @Override
    public void connectionClosed(String transport, String reason) {
      if (!ended) {
        transports.get(transport).closed(reason).increment();
      }
    }

    @Override
    public void slowConsumerDisconnected(String transport) {
      if (!ended) {
        transports.get(transport).slow.increment();
      }
    }

    @Override
    public void eventReceived(String namespace) {
      if (!ended) {
        namespaces.get(namespaceTag(namespace)).received.increment();
      }
    }

    @Override
    public void eventSent(String namespace, int deliveries) {
      if (!ended) {
        NamespaceMeters meters = namespaces.get(namespaceTag(namespace));
        meters.sent.increment();
        meters.deliveries.increment(deliveries);
      }
    }

    @Override
    public void eventRefused(String namespace, String cause) {
      if (!ended) {
        namespaces.get(namespaceTag(namespace)).refused(cause).increment();
      }
    }

    @Override
    public void recovered(boolean success) {
      if (!ended) {
        (success ? recovered : notRecovered).increment();
      }
    }

    @Override
    public void replayed(int messages) {
      if (!ended) {
        replayed.record(messages);
      }
    }

    @Override
    public void storeAppend(long nanos, boolean success) {
      if (!ended) {
        (success ? appended : notAppended).record(nanos, TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public void ackRoundTrip(long nanos, boolean answered) {
      if (!ended) {
        (answered ? this.answered : timedOut).record(nanos, TimeUnit.NANOSECONDS);
      }
    }

    @Override
    public String toString() {
      return "ParleyMetrics[" + registry.getClass().getSimpleName() + "]";
    }

    /** The counters of one namespace tag value. */
    private final class NamespaceMeters {
      final Counter received;
      final Counter sent;
      final Counter deliveries;
      private final String namespace;
      private final Map<String, Counter> refused = new ConcurrentHashMap<>(4);

      NamespaceMeters(String namespace) {
        this.namespace = namespace;
        received = add(Counter.builder("parley.events.received")
            .description("Events from clients handed to the handlers")
            .tags(tags)
            .tag("namespace", namespace)
            .register(registry));
        sent = add(Counter.builder("parley.events.sent")
            .description("Emits and broadcasts made by the application on this node")
            .tags(tags)
            .tag("namespace", namespace)
            .register(registry));
        deliveries = add(Counter.builder("parley.deliveries")
            .description("Channels on this node the application's emits were queued for")
            .tags(tags)
            .tag("namespace", namespace)
            .register(registry));
      }

      Counter refused(String cause) {
        String known = CAUSES.contains(cause) ? cause : OTHER;
        return refused.computeIfAbsent(known, c -> add(Counter.builder("parley.events.refused")
            .description("Events from clients refused before any handler: rate limited, or server busy")
            .tags(tags)
            .tag("namespace", namespace)
            .tag("cause", c)
            .register(registry)));
      }
    }

    /** The counters of one transport tag value. */
    private final class TransportMeters {
      final Counter opened;
      final Counter slow;
      private final String transport;
      private final Map<String, Counter> closed = new ConcurrentHashMap<>(8);

      TransportMeters(String transport) {
        this.transport = transport;
        opened = add(Counter.builder("parley.connections.opened")
            .description("Client connections opened")
            .tags(tags)
            .tag("transport", transport)
            .register(registry));
        slow = add(Counter.builder("parley.slow.consumers")
            .description("Client connections closed because their outbound buffer was full")
            .tags(tags)
            .tag("transport", transport)
            .register(registry));
      }

      Counter closed(String reason) {
        String known = REASONS.contains(reason) ? reason : OTHER;
        return closed.computeIfAbsent(known, r -> add(Counter.builder("parley.connections.closed")
            .description("Client connections closed, by Socket.IO disconnect reason")
            .tags(tags)
            .tag("transport", transport)
            .tag("reason", r)
            .register(registry)));
      }
    }
  }

  /**
   * Meters by tag value, for at most {@code max} values besides {@code other}: the first ones seen keep theirs,
   * the rest share {@code other}'s.
   */
  private static final class Bounded<T> {
    private final int max;
    private final Function<String, T> create;
    private final Map<String, T> byValue = new ConcurrentHashMap<>();
    private volatile @Nullable T other;

    Bounded(int max, Function<String, T> create) {
      this.max = max;
      this.create = create;
    }

    T get(String value) {
      T found = byValue.get(value);
      if (found != null) {
        return found;
      }
      synchronized (this) {
        found = byValue.get(value);
        if (found != null) {
          return found;
        }
        if (value.equals(OTHER) || byValue.size() >= max) {
          T shared = other;
          if (shared == null) {
            shared = create.apply(OTHER);
            other = shared;
          }
          return shared;
        }
        T made = create.apply(value);
        byValue.put(value, made);
        return made;
      }
    }
  }

  /** The server's stats, taken again once older than the given age: one snapshot serves a whole scrape. */
  static final class CachedStats {
    private final ChatServer server;
    private final long maxAgeNanos;
    private volatile @Nullable ServerStats last;
    private volatile long takenAt;

    CachedStats(ChatServer server, long maxAgeNanos) {
      this.server = server;
      this.maxAgeNanos = maxAgeNanos;
    }

    ServerStats get() {
      ServerStats current = last;
      if (current != null && System.nanoTime() - takenAt < maxAgeNanos) {
        return current;
      }
      synchronized (this) {
        // Another reader may have taken one while this one waited.
        if (last != current && last != null) {
          return last;
        }
        ServerStats fresh = server.stats();
        takenAt = System.nanoTime();
        last = fresh;
        return fresh;
      }
    }
  }
}
