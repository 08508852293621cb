package dev.parley.examples.chat;

import java.time.Duration;

/** Every wait limit the browser tests use. */
final class Timeouts {
  /** One thing a page should show after an action: a line, a status, a tick (loopback, a busy CI machine). */
  static final Duration STEP = Duration.ofSeconds(10);
  /** How often a condition on a page is polled. */
  static final Duration POLL = Duration.ofMillis(100);
  /** A typing indicator clears 3 s after the last typing event; one more second for scheduling. */
  static final Duration TYPING_CLEARS = Duration.ofSeconds(4);
  /** One script run in a page with executeAsyncScript. */
  static final Duration SCRIPT = Duration.ofSeconds(10);

  private Timeouts() {
  }
}
