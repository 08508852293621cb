package dev.parley.protocol.support;

import dev.parley.error.LimitExceededException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The acks one end of a connection waits for, the same on the server (per channel) and in the client: ack
 * ids handed out in order from 0, a bound on how many may be pending, a timeout per ack, and settling or
 * failing each one exactly once. What waits for an answer ({@code W}: a sink, a future) is the caller's;
 * this class only decides who gets it: the answer ({@link #settle}), the timeout, or the end of the
 * connection ({@link #failAll}).
 *
 * <pre>{@code
 * PendingAcks<Sinks.One<Reply>> acks = new PendingAcks<>(100);
 * Timers timers = (task, delay) -> scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS)::dispose;
 * long id = acks.add(sink, timeout, timers, s -> s.tryEmitError(new AckTimeoutException(event, timeout)));
 * // ...the answer arrives:
 * Sinks.One<Reply> waiting = acks.settle(id);
 * if (waiting != null) waiting.tryEmitValue(reply);
 * }</pre>
 *
 * <p>Threading: every method may be called from any thread. Each waiter is handed out at most once, to
 * {@code settle}, to its timeout action or to {@code failAll}'s, whichever comes first; a timeout action
 * runs on the thread of the {@link Timers} that fired it.
 *
 * @param <W> what waits for an answer
 */
public final class PendingAcks<W> {
  private final AtomicLong nextId = new AtomicLong();
  private final Map<Long, Entry<W>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger count = new AtomicInteger();
  private final int max;

  /**
   * @param max how many acks may be pending at once ({@code maxPendingAcks}); {@link Integer#MAX_VALUE}
   *     for no bound
   * @throws IllegalArgumentException if {@code max} is not positive
   */
  public PendingAcks(int max) {
    if (max <= 0) {
      throw new IllegalArgumentException("maxPendingAcks must be positive: " + max);
    }
    this.max = max;
  }

  /**
   * Hands out the next id to {@code waiter} and starts its timeout. Call it before the packet that asks for
   * the ack is sent, so that no answer can arrive for an id that is not registered yet.
   *
   * @param waiter what the answer, the timeout or the connection's end goes to
   * @param timeout how long to wait for the answer
   * @param timers where the timeout runs
   * @param onTimeout runs once if no answer came within {@code timeout}, on the timers' thread, with the
   *     waiter already removed
   * @return the ack id
   * @throws LimitExceededException ({@code maxPendingAcks}) if {@code max} acks are pending; nothing is added
   * @throws RuntimeException what {@code timers} threw; nothing is added
   */
  public long add(W waiter, Duration timeout, Timers timers, Consumer<? super W> onTimeout) {
    Objects.requireNonNull(waiter, "waiter");
    Objects.requireNonNull(onTimeout, "onTimeout");
    if (count.incrementAndGet() > max) {
      count.decrementAndGet();
      throw new LimitExceededException("maxPendingAcks", max);
    }
    long id = nextId.getAndIncrement();
    Entry<W> entry = new Entry<>(waiter);
    pending.put(id, entry);
    try {
      entry.cancel = timers.schedule(() -> {
        Entry<W> due = remove(id);
        if (due != null) {
          onTimeout.accept(due.waiter);
        }
      }, timeout);
    } catch (RuntimeException e) {
      remove(id);
      throw e;
    }
    return id;
  }

  /** Whether {@code id} was ever handed out; an answer to any other id is a protocol violation. */
  public boolean issued(long id) {
    return id >= 0 && id < nextId.get();
  }

  /**
   * Takes the waiter of {@code id} out, stopping its timeout, for the caller to complete.
   *
   * @return the waiter, or null if the ack is not pending (never issued, timed out, failed or settled)
   */
  public @Nullable W settle(long id) {
    Entry<W> entry = remove(id);
    return entry == null ? null : entry.waiter;
  }

  /** Takes out every pending waiter, stopping their timeouts, and hands each to {@code fail}, on this thread. */
  public void failAll(Consumer<? super W> fail) {
    for (Long id : pending.keySet()) {
      Entry<W> entry = remove(id);
      if (entry != null) {
        fail.accept(entry.waiter);
      }
    }
  }

  /** How many acks are pending now. */
  public int size() {
    return count.get();
  }

  private @Nullable Entry<W> remove(long id) {
    Entry<W> entry = pending.remove(id);
    if (entry != null) {
      count.decrementAndGet();
      Runnable cancel = entry.cancel;
      if (cancel != null) {
        cancel.run();
      }
    }
    return entry;
  }

  private static final class Entry<W> {
    final W waiter;
    // Set once the timer is scheduled: a timeout that fires first has nothing left to cancel, and a timer
    // whose entry was taken before this was set finds nothing when it fires.
    volatile @Nullable Runnable cancel;

    Entry(W waiter) {
      this.waiter = waiter;
    }
  }
}
