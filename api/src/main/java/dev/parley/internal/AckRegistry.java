package dev.parley.internal;

import dev.parley.Reply;
import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.LimitExceededException;
import dev.parley.protocol.DisconnectReason;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/** The acks one channel waits for: ids, the bound, timeouts, and failure on disconnect. */
final class AckRegistry {
  private final AtomicLong nextId = new AtomicLong();
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();
  private final int max;

  AckRegistry(int max) {
    this.max = max;
  }

  /**
   * Reserves an id and starts its timeout.
   *
   * @throws LimitExceededException if {@code max} acks are already pending
   */
  long register(String event, Sinks.One<Reply> sink, Duration timeout, Scheduler scheduler) {
    if (count.incrementAndGet() > max) {
      count.decrementAndGet();
      throw new LimitExceededException("maxPendingAcks", max);
    }
    long id = nextId.getAndIncrement();
    Pending entry = new Pending(sink);
    pending.put(id, entry);
    entry.timer = scheduler.schedule(() -> {
      if (remove(id) != null) {
        sink.tryEmitError(new AckTimeoutException(event, timeout));
      }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    return id;
  }

  /** Whether an id was ever handed out; an ack for any other id is a protocol violation. */
  boolean issued(long id) {
    return id >= 0 && id < nextId.get();
  }

  /** Completes the pending ack {@code id}, if it is still pending; a late ack is ignored. */
  void complete(long id, Reply reply) {
    Pending entry = remove(id);
    if (entry != null) {
      entry.sink.tryEmitValue(reply);
    }
  }

  /** Fails every pending ack because the channel disconnected. */
  void failAll(String channelId, DisconnectReason reason) {
    for (Long id : pending.keySet()) {
      Pending entry = remove(id);
      if (entry != null) {
        entry.sink.tryEmitError(new ChannelClosedException(channelId, reason));
      }
    }
  }

  /** Acks currently pending. */
  int pendingCount() {
    return count.get();
  }

  private @Nullable Pending remove(long id) {
    Pending entry = pending.remove(id);
    if (entry != null) {
      count.decrementAndGet();
      Disposable timer = entry.timer;
      if (timer != null) {
        timer.dispose();
      }
    }
    return entry;
  }

  private static final class Pending {
    final Sinks.One<Reply> sink;
    volatile @Nullable Disposable timer;

    Pending(Sinks.One<Reply> sink) {
      this.sink = sink;
    }
  }
}
