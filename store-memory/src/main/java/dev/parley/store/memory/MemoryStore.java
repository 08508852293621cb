package dev.parley.store.memory;

import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.spi.Bus;
import dev.parley.spi.BusMessage;
import dev.parley.spi.Post;
import dev.parley.spi.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

/**
 * A store that keeps each room's latest messages in memory and links the servers of one process.
 *
 * <p>Ids are 16 lower-case hex digits from one counter, so they order messages across rooms as well as
 * within one. Appends are serialised: a message's id, its place in history and its place in the feed
 * are decided together, so the feed is in id order and a reader of history never sees a gap that a
 * later append fills. Each room keeps its last {@link MemoryStoreConfig#maxMessagesPerRoom()} messages.
 *
 * <p>Several {@code ChatServer}s given the same instance act as several nodes: each receives the feed
 * and the bus, and a session one of them saves can be taken by any of them. A server never stops a
 * store it was given. Thread-safe.
 *
 * <p>Saved sessions live in this process until taken or expired; an expired session is dropped when
 * someone tries to take it, and each save sweeps a few expired ones, so sessions nobody comes back for
 * do not accumulate.
 *
 * <pre>{@code
 * MemoryStore store = new MemoryStore();
 * ChatServer a = ChatServer.builder().store(store).start();
 * ChatServer b = ChatServer.builder().store(store).start();   // a second node
 * }</pre>
 */
public final class MemoryStore implements Store {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final MemoryStoreConfig config;
  private final Clock clock;
  private final Object lock = new Object();
  private final Map<RoomKey, MessageLog> rooms = new HashMap<>();
  private final List<FluxSink<Message>> feedSinks = new CopyOnWriteArrayList<>();
  private final List<FluxSink<BusMessage>> busSinks = new CopyOnWriteArrayList<>();
  private final Flux<Message> feed = Flux.create(sink -> register(feedSinks, sink));
  private final Bus bus = new MemoryBus();
  private final SessionTable sessions;
  private long sequence;

  /** A store with the default retention. */
  public MemoryStore() {
    this(MemoryStoreConfig.defaults());
  }

  /** A store with the given retention. */
  public MemoryStore(MemoryStoreConfig config) {
    this(config, Clock.systemUTC());
  }

  MemoryStore(MemoryStoreConfig config, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sessions = new SessionTable(clock);
  }

  private static <T> void register(List<FluxSink<T>> sinks, FluxSink<T> sink) {
    sinks.add(sink);
    sink.onDispose(() -> sinks.remove(sink));
  }

  @Override
  public Mono<Void> start() {
    return Mono.empty();
  }

  @Override
  public Mono<Void> stop() {
    return Mono.empty();
  }

  @Override
  public Mono<Message> append(Post post) {
    Objects.requireNonNull(post, "post");
    return Mono.fromCallable(() -> {
      synchronized (lock) {
        Message message = new Message(hex(++sequence), post.namespace(), post.room(), post.event(),
            post.payload(), post.sender(), clock.instant());
        rooms.computeIfAbsent(new RoomKey(post.namespace(), post.room()),
            k -> new MessageLog(config.maxMessagesPerRoom())).add(message);
        // Inside the lock, so the feed order is the id order.
        for (FluxSink<Message> sink : feedSinks) {
          sink.next(message);
        }
        return message;
      }
    });
  }

  @Override
  public Flux<Message> history(String namespace, String room, HistoryQuery query) {
    Objects.requireNonNull(query, "query");
    return Flux.defer(() -> {
      List<Message> page;
      synchronized (lock) {
        MessageLog log = rooms.get(new RoomKey(namespace, room));
        if (log == null) {
          return Flux.empty();
        }
        page = query.after() != null
            ? log.after(query.after(), query.before(), query.limit())
            : log.latest(query.before(), query.limit());
      }
      return Flux.fromIterable(page);
    });
  }

  @Override
  public Flux<Message> feed() {
    return feed;
  }

  @Override
  public Bus bus() {
    return bus;
  }

  /**
   * Keeps a disconnected channel's state in memory until it is taken or {@code ttl} has passed; replaces
   * earlier state under the same key.
   *
   * @return completes (at once, on the subscribing thread) once the state is saved
   * @throws IllegalArgumentException if {@code ttl} is not positive
   */
  @Override
  public Mono<Void> saveSession(String namespace, String privateId, String state, Duration ttl) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(privateId, "privateId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive: " + ttl);
    }
    return Mono.fromRunnable(() -> sessions.save(namespace, privateId, state, ttl));
  }

  /**
   * Removes and returns the state saved under the private id, unless it expired; one instance serves
   * every node using it, so at most one caller gets a given state.
   *
   * @return the state, or empty if there is none or it expired
   */
  @Override
  public Mono<String> takeSession(String namespace, String privateId) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(privateId, "privateId");
    return Mono.fromCallable(() -> sessions.take(namespace, privateId));
  }

  /** Saved sessions, expired ones not yet swept included (for tests). */
  int savedSessions() {
    return sessions.size();
  }

  /** Messages retained for a room (for tests and diagnostics). */
  public int retained(String namespace, String room) {
    synchronized (lock) {
      MessageLog log = rooms.get(new RoomKey(namespace, room));
      return log == null ? 0 : log.size();
    }
  }

  static String hex(long value) {
    char[] out = new char[16];
    for (int i = 15; i >= 0; i--) {
      out[i] = HEX[(int) (value & 15)];
      value >>>= 4;
    }
    return new String(out);
  }

  private record RoomKey(String namespace, String room) {
  }

  private final class MemoryBus implements Bus {
    private final Flux<BusMessage> messages = Flux.create(sink -> register(busSinks, sink));

    @Override
    public Mono<Void> publish(BusMessage message) {
      Objects.requireNonNull(message, "message");
      return Mono.fromRunnable(() -> {
        for (FluxSink<BusMessage> sink : busSinks) {
          sink.next(message);
        }
      });
    }

    @Override
    public Flux<BusMessage> messages() {
      return messages;
    }
  }
}
