package dev.parley.store.memory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import org.jspecify.annotations.Nullable;

/**
 * Saved sessions with expiry, for {@link MemoryStore#saveSession}. Thread-safe (one lock).
 *
 * <p>Every save and every take first drops all sessions whose time has passed, oldest expiry first, so
 * sessions nobody takes do not pile up beyond one window's worth of disconnects. Each entry is dropped
 * once, so the work is constant per save, amortised.
 */
final class SessionTable {
  private final Clock clock;
  private final Map<Key, Entry> entries = new HashMap<>();
  // Each saved entry once, by expiry; an entry replaced before it expired stays here until its time.
  private final PriorityQueue<Entry> byExpiry =
      new PriorityQueue<>((a, b) -> Long.compare(a.expiresAt, b.expiresAt));

  SessionTable(Clock clock) {
    this.clock = clock;
  }

  void save(String namespace, String privateId, String state, Duration ttl) {
    long now = clock.millis();
    long expiresAt = expiry(now, ttl);
    Key key = new Key(namespace, privateId);
    Entry entry = new Entry(key, state, expiresAt);
    synchronized (this) {
      entries.put(key, entry);
      byExpiry.add(entry);
      sweep(now);
    }
  }

  @Nullable String take(String namespace, String privateId) {
    long now = clock.millis();
    synchronized (this) {
      sweep(now);
      Entry entry = entries.remove(new Key(namespace, privateId));
      return entry == null || entry.expiresAt <= now ? null : entry.state;
    }
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

  private void sweep(long now) {
    for (;;) {
      Entry oldest = byExpiry.peek();
      if (oldest == null || oldest.expiresAt > now) {
        return;
      }
      byExpiry.poll();
      // Only if it is still the saved one: a replaced or taken entry must not remove its successor.
      entries.remove(oldest.key, oldest);
    }
  }

  private record Key(String namespace, String privateId) {
  }

  // Identity matters (see sweep), so a class, not a record.
  private static final class Entry {
    final Key key;
    final String state;
    final long expiresAt;

    Entry(Key key, String state, long expiresAt) {
      this.key = key;
      this.state = state;
      this.expiresAt = expiresAt;
    }
  }
}
