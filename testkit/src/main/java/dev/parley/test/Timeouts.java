package dev.parley.test;

import java.time.Duration;

/** The wait limits of the test kit, in one place. */
public final class Timeouts {
  /** How long a test waits for something that should happen. */
  public static final Duration EXPECTED = Duration.ofSeconds(10);
  /** How long a test waits to be confident that something does not happen. */
  public static final Duration UNEXPECTED = Duration.ofMillis(200);

  private Timeouts() {
  }
}
