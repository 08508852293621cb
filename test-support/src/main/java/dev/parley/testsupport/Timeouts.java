package dev.parley.testsupport;

import java.time.Duration;

/**
 * Every wait limit Parley's own tests share, in one place: a test waits at most this long for something
 * that should happen, so that a regression fails the build instead of hanging it. The limits are generous
 * (a loaded two-core build machine); a test that passes only near them is a slow test, not a tight one.
 */
public final class Timeouts {
  /** One step on loopback: a network round trip, one event, an ack, a server starting or stopping. */
  public static final Duration STEP = Duration.ofSeconds(10);
  /** A step that waits on a database or on several nodes: a change stream catching up, an outage ending. */
  public static final Duration SLOW = Duration.ofSeconds(20);
  /** Establishing a TCP or WebSocket connection on loopback. */
  public static final Duration CONNECT = Duration.ofSeconds(5);
  /** Tolerance for scheduling on a busy build machine, added to a duration a test measures. */
  public static final Duration SLACK = Duration.ofMillis(500);
  /** How often a condition is polled when there is nothing to wait on. */
  public static final Duration POLL = Duration.ofMillis(100);

  private Timeouts() {
  }
}
