package dev.parley.host.jetty;

import java.time.Duration;

/** Every wait limit the host tests use. */
final class Timeouts {
  /** One network round trip or one event on loopback. */
  static final Duration STEP = Duration.ofSeconds(10);
  /** The shutdown timeout of servers whose stop time a test measures. */
  static final Duration SHUTDOWN = Duration.ofSeconds(2);
  /** Tolerance for scheduling on a busy build machine, added to {@link #SHUTDOWN} in assertions. */
  static final Duration SLACK = Duration.ofMillis(500);

  private Timeouts() {
  }
}
