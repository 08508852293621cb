package dev.parley.store.memory;

import dev.parley.error.StoreException;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * Saved sessions with expiry and a byte budget, for {@link MemoryStore#saveSession}. Thread-safe (one
 * lock).
 *
 * <p>Expired sessions go without further traffic: a timer on the given scheduler fires when the session
 * closest to expiry is due (at least once a minute while there are sessions) and drops every session
 * whose time has passed; every save and take sweeps too. Each entry is in the expiry order once, and a
 * replaced or taken entry leaves it at once, so the table holds exactly the live sessions' states.
 *
 * <p>Beyond {@code maxBytes} (by {@link MemorySize#session}) a save drops the sessions closest to expiry,
 * never the one it saves, until the table fits; a state larger than the whole budget is refused.
 */
final class SessionTable {
  /** The longest the timer sleeps, so that a far expiry never needs a far timer. */
  static final long MAX_TIMER_DELAY_MILLIS = 60_000;

  private final Clock clock;
  private final Scheduler scheduler;
  private final long maxBytes;
  private final Map<Key, Entry> entries = new HashMap<>();
  // Each saved entry exactly once, soonest expiry first (Entry's own order: every closing channel is put here,
  // and a composed Comparator's lambdas cost a visible share of a connection's close).
  private final TreeSet<Entry> byExpiry = new TreeSet<>();
  private long bytes;
  private long seq;
  private @Nullable Disposable timer;
  private long timerAt = Long.MAX_VALUE;
  // Which timer is the current one: a cancelled timer that runs anyway finds another number and does nothing.
  private long timerGeneration;

  SessionTable(Clock clock, Scheduler scheduler, long maxBytes) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.maxBytes = maxBytes;
  }

  /**
   * Saves or replaces a state.
   *
   * @throws StoreException if the state alone is larger than the budget (nothing is saved or replaced)
   */
  void save(String namespace, String privateId, String state, Duration ttl) {
    long size = MemorySize.session(namespace, privateId, state);   // outside the lock: scans the state
    if (size > maxBytes) {
      throw new StoreException("session state of " + size + " bytes is larger than maxSessionBytes (" + maxBytes
          + "); not saved");
    }
    long now = clock.millis();
    Key key = new Key(namespace, privateId);
    synchronized (this) {
      Entry entry = new Entry(key, state, expiry(now, ttl), size, ++seq);
      Entry replaced = entries.put(key, entry);
      if (replaced != null) {
        forget(replaced);
      }
      byExpiry.add(entry);
      bytes += size;
      sweep(now);
      while (bytes > maxBytes) {
        Entry victim = byExpiry.first();
        if (victim == entry) {
          victim = byExpiry.higher(entry);   // others exist: the new entry fits alone
        }
        entries.remove(victim.key);
        forget(victim);
      }
      arm(now);
    }
  }

  @Nullable String take(String namespace, String privateId) {
    long now = clock.millis();
    synchronized (this) {
      sweep(now);
      Entry entry = entries.remove(new Key(namespace, privateId));
      if (entry != null) {
        forget(entry);
      }
      arm(now);
      return entry == null || entry.expiresAt <= now ? null : entry.state;
    }
  }

  /** Cancels the timer; expired sessions are then dropped by the next save or take, which restarts it. */
  synchronized void stop() {
    timerGeneration++;
    if (timer != null) {
      timer.dispose();
      timer = null;
    }
    timerAt = Long.MAX_VALUE;
  }

  private static long expiry(long now, Duration ttl) {
    try {
      return Math.addExact(now, Math.max(1, ttl.toMillis()));
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE; // a ttl too long to count in millis: kept until taken
    }
  }

  /** Saved entries, expired ones not yet swept included (for tests). */
  synchronized int size() {
    return entries.size();
  }

  /** What the saved entries hold, by {@link MemorySize#session} (for tests). */
  synchronized long bytes() {
    return bytes;
  }

  private void forget(Entry entry) {
    byExpiry.remove(entry);
    bytes -= entry.size;
  }

  private void sweep(long now) {
    for (;;) {
      Entry oldest = byExpiry.isEmpty() ? null : byExpiry.first();
      if (oldest == null || oldest.expiresAt > now) {
        return;
      }
      entries.remove(oldest.key);
      forget(oldest);
    }
  }

  // Makes sure the timer fires by the time the soonest expiry is due; none when the table is empty.
  private void arm(long now) {
    if (byExpiry.isEmpty()) {
      stop();
      return;
    }
    long due = Math.min(byExpiry.first().expiresAt, now + MAX_TIMER_DELAY_MILLIS);
    if (timer != null && timerAt <= due) {
      return;
    }
    stop();
    // Weakly: a store nobody uses any more is not kept alive by its timer.
    WeakReference<SessionTable> self = new WeakReference<>(this);
    long generation = timerGeneration;
    try {
      timer = scheduler.schedule(() -> {
        SessionTable table = self.get();
        if (table != null) {
          table.onTimer(generation);
        }
      }, Math.max(0, due - now), TimeUnit.MILLISECONDS);
      timerAt = due;
    } catch (RejectedExecutionException e) {
      // The scheduler was shut down: saves and takes still sweep.
    }
  }

  private synchronized void onTimer(long generation) {
    if (generation != timerGeneration) {
      return;
    }
    timer = null;
    timerAt = Long.MAX_VALUE;
    long now = clock.millis();
    sweep(now);
    arm(now);
  }

  private record Key(String namespace, String privateId) {
  }

  private static final class Entry implements Comparable<Entry> {
    final Key key;
    final String state;
    final long expiresAt;
    final long size;
    final long seq;

    Entry(Key key, String state, long expiresAt, long size, long seq) {
      this.key = key;
      this.state = state;
      this.expiresAt = expiresAt;
      this.size = size;
      this.seq = seq;
    }

    /** Soonest expiry first; among equal expiries, saved first first. */
    @Override
    public int compareTo(Entry other) {
      int byTime = Long.compare(expiresAt, other.expiresAt);
      return byTime != 0 ? byTime : Long.compare(seq, other.seq);
    }
  }
}
