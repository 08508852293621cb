package dev.parley.store.memory;

import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.error.LimitExceededException;
import dev.parley.spi.Bus;
import dev.parley.spi.BusMessage;
import dev.parley.spi.Post;
import dev.parley.spi.Store;
import dev.parley.spi.StoreHealth;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A store that keeps each room's latest messages in memory and links the servers of one process.
 *
 * <p>Ids are 16 lower-case hex digits from one counter, so they order messages across rooms as well as
 * within one. Appends are serialised: a message's id, its place in history and its place in the feed
 * are decided together, so the feed is in id order and a reader of history never sees a gap that a
 * later append fills.
 *
 * <p>Memory is bounded by {@link MemoryStoreConfig}: each room keeps its latest messages within
 * {@link MemoryStoreConfig#maxMessagesPerRoom() a count} and {@link MemoryStoreConfig#maxBytesPerRoom() a
 * size in bytes}, the whole store within {@link MemoryStoreConfig#maxBytesTotal() a total} (the largest
 * rooms lose their oldest messages first), and saved sessions within
 * {@link MemoryStoreConfig#maxSessionBytes() their own budget}; a message or session larger than its
 * bound is refused.
 *
 * <p>Several {@code ChatServer}s given the same instance act as several nodes: each receives the feed
 * and the bus, and a session one of them saves can be taken by any of them. A server never stops a
 * store it was given. Thread-safe.
 *
 * <p>Saved sessions live in this process until taken or expired. An expired session is dropped when it
 * falls due, by a timer on Reactor's parallel scheduler, or by any save or take after that, so sessions
 * nobody comes back for do not accumulate, even when no further traffic comes.
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
  // Every room with messages, smallest first (ties by age), to find the largest when the store is full.
  private final TreeSet<MessageLog> bySize = new TreeSet<>(
      Comparator.comparingLong(MessageLog::bytes).thenComparingLong(log -> log.order));
  private final List<FluxSink<Message>> feedSinks = new CopyOnWriteArrayList<>();
  private final List<FluxSink<BusMessage>> busSinks = new CopyOnWriteArrayList<>();
  private final Flux<Message> feed = Flux.create(sink -> register(feedSinks, sink));
  private final Bus bus = new MemoryBus();
  private final SessionTable sessions;
  private long sequence;
  private long roomOrder;
  private long totalBytes;

  /** A store with the default retention. */
  public MemoryStore() {
    this(MemoryStoreConfig.defaults());
  }

  /** A store with the given retention. */
  public MemoryStore(MemoryStoreConfig config) {
    this(config, Clock.systemUTC());
  }

  /**
   * A store with the given retention whose time is {@code clock}: it stamps each message's
   * {@code timestamp} and judges when a saved session has expired. For tests that step past an expiry
   * instead of waiting for it.
   */
  public MemoryStore(MemoryStoreConfig config, Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sessions = new SessionTable(clock, Schedulers.parallel(), config.maxSessionBytes());
  }

  private static <T> void register(List<FluxSink<T>> sinks, FluxSink<T> sink) {
    sinks.add(sink);
    sink.onDispose(() -> sinks.remove(sink));
  }

  @Override
  public Mono<Void> start() {
    return Mono.empty();
  }

  /** Cancels the sessions' expiry timer; messages and sessions stay, and a later save or take restarts it. */
  @Override
  public Mono<Void> stop() {
    return Mono.fromRunnable(sessions::stop);
  }

  /**
   * Stores a message and drops what no longer fits: the room's oldest beyond
   * {@link MemoryStoreConfig#maxMessagesPerRoom()} or {@link MemoryStoreConfig#maxBytesPerRoom()}, then,
   * beyond {@link MemoryStoreConfig#maxBytesTotal()}, the oldest of the largest rooms.
   *
   * @return the message; errors with {@link LimitExceededException} if the message alone is larger than
   *     a room or the store may hold (it is then neither stored nor in the feed)
   */
  @Override
  public Mono<Message> append(Post post) {
    Objects.requireNonNull(post, "post");
    return Mono.fromCallable(() -> {
      long bytes = MemorySize.of(post);   // outside the lock: one pass over the payload
      if (bytes > config.maxBytesPerRoom()) {
        throw new LimitExceededException("maxBytesPerRoom", config.maxBytesPerRoom());
      }
      if (bytes + MemorySize.ROOM > config.maxBytesTotal()) {
        throw new LimitExceededException("maxBytesTotal", config.maxBytesTotal());
      }
      synchronized (lock) {
        Message message = new Message(hex(++sequence), post.namespace(), post.room(), post.event(),
            post.payload(), post.sender(), clock.instant());
        RoomKey key = new RoomKey(post.namespace(), post.room());
        MessageLog log = rooms.get(key);
        if (log == null) {
          log = new MessageLog(key, config.maxMessagesPerRoom(), ++roomOrder);
          rooms.put(key, log);
          totalBytes += MemorySize.ROOM;
        } else {
          bySize.remove(log);
        }
        long before = log.bytes();
        log.add(message, bytes);
        while (log.bytes() > config.maxBytesPerRoom()) {
          log.removeOldest();   // never the new message: it fits alone
        }
        totalBytes += log.bytes() - before;
        bySize.add(log);
        trimTotal(log);
        // Inside the lock, so the feed order is the id order.
        for (FluxSink<Message> sink : feedSinks) {
          sink.next(message);
        }
        return message;
      }
    });
  }

  // Drops the oldest messages of the largest rooms until the store fits; never the message just added to
  // {@code appended} (which then holds it alone, so another room holds the excess).
  private void trimTotal(MessageLog appended) {
    while (totalBytes > config.maxBytesTotal()) {
      MessageLog largest = bySize.last();
      if (largest == appended && largest.size() == 1) {
        largest = bySize.lower(largest);
      }
      bySize.remove(largest);
      long before = largest.bytes();
      largest.removeOldest();
      totalBytes -= before - largest.bytes();
      if (largest.size() == 0) {
        rooms.remove(largest.key);
        totalBytes -= MemorySize.ROOM;
      } else {
        bySize.add(largest);
      }
    }
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
   * Always up: the store lives in this process and has nothing remote to lose. The details say how full it
   * is: {@code store} ({@code "memory"}), {@code rooms} (rooms holding messages), {@code retainedBytes}
   * and {@code maxBytesTotal} (what the messages hold against the store's bound, by the estimate
   * {@link MemoryStoreConfig} describes), {@code savedSessions} (expired ones not yet swept included),
   * and {@code feedSubscribers} and {@code busSubscribers} (the nodes and readers attached).
   *
   * @return the health, at once, on the subscribing thread
   */
  @Override
  public Mono<StoreHealth> health() {
    return Mono.fromCallable(() -> {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("store", "memory");
      synchronized (lock) {
        details.put("rooms", rooms.size());
        details.put("retainedBytes", totalBytes);
      }
      details.put("maxBytesTotal", config.maxBytesTotal());
      details.put("savedSessions", sessions.size());
      details.put("feedSubscribers", feedSinks.size());
      details.put("busSubscribers", busSinks.size());
      return StoreHealth.up(details);
    });
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
    Store.checkSaveSession(namespace, privateId, state, ttl);
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
    Store.checkSessionKey(namespace, privateId);
    return Mono.fromCallable(() -> sessions.take(namespace, privateId));
  }

  /** Saved sessions, expired ones not yet swept included (for tests). */
  int savedSessions() {
    return sessions.size();
  }

  /** What the saved sessions hold, by the estimate {@link MemoryStoreConfig} describes (for tests). */
  long savedSessionBytes() {
    return sessions.bytes();
  }

  /**
   * What the retained messages of a room hold, by the estimate {@link MemoryStoreConfig} describes (for
   * tests and diagnostics).
   */
  public long retainedBytes(String namespace, String room) {
    synchronized (lock) {
      MessageLog log = rooms.get(new RoomKey(namespace, room));
      return log == null ? 0 : log.bytes();
    }
  }

  /**
   * What every retained message holds, with each room's own bookkeeping: the figure kept within
   * {@link MemoryStoreConfig#maxBytesTotal()} (for tests and diagnostics).
   */
  public long retainedBytes() {
    synchronized (lock) {
      return totalBytes;
    }
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
