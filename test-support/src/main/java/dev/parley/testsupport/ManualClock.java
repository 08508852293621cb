package dev.parley.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that moves only when a test tells it to, for expiry judged by the clock rather than by a timer
 * (a store's saved sessions, for one): the test advances past a limit instead of sleeping through it.
 * Thread-safe: readers on any thread see the latest {@link #advance}.
 */
public final class ManualClock extends Clock {
  private volatile Instant now;

  /** A clock standing at 2025-01-01T00:00:00Z. */
  public ManualClock() {
    this(Instant.parse("2025-01-01T00:00:00Z"));
  }

  /** A clock standing at {@code start}. */
  public ManualClock(Instant start) {
    this.now = start;
  }

  /** Moves the clock forward by {@code by}. */
  public void advance(Duration by) {
    now = now.plus(by);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a ManualClock stays in UTC");
  }

  @Override
  public Instant instant() {
    return now;
  }
}
