package dev.parley.client.internal;

import dev.parley.client.Reconnect;
import dev.parley.protocol.support.Timers;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the client's next reconnect attempt runs: the {@link Reconnect} policy's backoff, the attempts made
 * since the connection was lost, and the one attempt waiting on the client's timers. It does not know
 * what an attempt does nor the connection's state: the client's state machine decides when to call it.
 *
 * <p>Not thread-safe: every method runs under the client's lock.
 */
final class Reconnector {
  private static final Logger log = LoggerFactory.getLogger(Reconnector.class);

  private final Reconnect policy;
  private final Timers timers;
  private int attempts;
  private @Nullable Runnable waiting;

  Reconnector(Reconnect policy, Timers timers) {
    this.policy = policy;
    this.timers = timers;
  }

  /** Whether the policy reconnects at all. */
  boolean enabled() {
    return policy.enabled();
  }

  /** Attempts scheduled since the last {@link #reset}. */
  int attempts() {
    return attempts;
  }

  /** Starts counting again from the first attempt's delay: the connection was made, or just lost. */
  void reset() {
    attempts = 0;
  }

  /**
   * Schedules {@code attempt} after the next backoff delay, unless the policy's attempts are used up.
   *
   * @return false if they are: nothing was scheduled
   * @throws RuntimeException what the timers throw when the client is closing
   */
  boolean schedule(Runnable attempt) {
    if (attempts >= policy.maxAttempts()) {
      return false;
    }
    Duration delay = policy.delay(attempts, ThreadLocalRandom.current().nextDouble());
    attempts++;
    log.debug("reconnect attempt {} in {} ms", attempts, delay.toMillis());
    // Cancelling a timer that has fired does nothing: no need to forget it when it fires.
    waiting = timers.schedule(attempt, delay);
    return true;
  }

  /** Cancels the attempt that is waiting, if one is. */
  void cancel() {
    Runnable cancel = waiting;
    waiting = null;
    if (cancel != null) {
      cancel.run();
    }
  }
}
