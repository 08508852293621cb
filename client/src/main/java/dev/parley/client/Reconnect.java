package dev.parley.client;

import dev.parley.protocol.Checks;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ParleyClient} reconnects after it loses its connection: capped exponential backoff with
 * jitter. Attempt {@code n} (counted from 0 after each loss) waits
 * {@code min(initialDelay × multiplier^n, maxDelay)}, then moves that by up to {@code ±jitter} of itself at
 * random, so that many clients dropped at once do not come back in step. A successful reconnect resets
 * the count.
 *
 * <p>The client reconnects only after the connection was lost (the network failed, the server went away,
 * no heartbeat arrived): never after {@link ParleyClient#disconnect()} or {@link ParleyClient#close()},
 * never after the server removed the client from its namespace, and never after the server refused a
 * reconnect (a middleware rejection).
 *
 * <pre>{@code
 * ParleyClient.builder(url)
 *     .reconnect(Reconnect.defaults().withDelays(Duration.ofSeconds(1), Duration.ofSeconds(30)).withMaxAttempts(20))
 *     .connect();
 * }</pre>
 *
 * @param initialDelay the delay before the first attempt; positive
 * @param maxDelay the cap on any delay; at least {@code initialDelay}
 * @param multiplier how much the delay grows per attempt; at least 1
 * @param jitter the random share of each delay, from 0 (none) to 1
 * @param maxAttempts how many attempts after one loss before the client gives up; 0 turns reconnection off,
 *     {@link #UNLIMITED} never gives up
 */
public record Reconnect(Duration initialDelay, Duration maxDelay, double multiplier, double jitter,
                        int maxAttempts) {

  /** {@link #maxAttempts()} that never gives up. */
  public static final int UNLIMITED = Integer.MAX_VALUE;

  /**
   * Validates the settings.
   *
   * @param initialDelay the delay before the first attempt
   * @param maxDelay the cap on any delay
   * @param multiplier how much the delay grows per attempt
   * @param jitter the random share of each delay
   * @param maxAttempts attempts after one loss; 0 for none
   * @throws NullPointerException if a delay is null
   * @throws IllegalArgumentException if a value is out of the ranges given above
   */
  public Reconnect {
    Checks.positive("initialDelay", initialDelay);
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("maxDelay must be at least initialDelay (" + initialDelay + "): " + maxDelay);
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be a finite number of at least 1: " + multiplier);
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be 0..1: " + jitter);
    }
    if (maxAttempts < 0) {
      throw new IllegalArgumentException("maxAttempts must be 0 (off) or more: " + maxAttempts);
    }
  }

  /**
   * The default policy: 500 ms first, doubling up to 10 s, jitter 0.5, attempts unlimited.
   *
   * @return the default policy
   */
  public static Reconnect defaults() {
    return new Reconnect(Duration.ofMillis(500), Duration.ofSeconds(10), 2.0, 0.5, UNLIMITED);
  }

  /**
   * No reconnection: a lost connection leaves the client disconnected.
   *
   * @return a policy with {@code maxAttempts} 0
   */
  public static Reconnect off() {
    return defaults().withMaxAttempts(0);
  }

  /**
   * Whether this policy reconnects at all.
   *
   * @return {@code maxAttempts > 0}
   */
  public boolean enabled() {
    return maxAttempts > 0;
  }

  /**
   * A copy with other first and largest delays.
   *
   * @param initialDelay the delay before the first attempt; positive
   * @param maxDelay the cap on any delay; at least {@code initialDelay}
   * @return the copy
   * @throws IllegalArgumentException if the delays are not valid together
   */
  public Reconnect withDelays(Duration initialDelay, Duration maxDelay) {
    return new Reconnect(initialDelay, maxDelay, multiplier, jitter, maxAttempts);
  }

  /**
   * A copy with another growth factor.
   *
   * @param multiplier how much the delay grows per attempt; at least 1
   * @return the copy
   * @throws IllegalArgumentException if {@code multiplier} is below 1
   */
  public Reconnect withMultiplier(double multiplier) {
    return new Reconnect(initialDelay, maxDelay, multiplier, jitter, maxAttempts);
  }

  /**
   * A copy with another jitter.
   *
   * @param jitter the random share of each delay, 0..1
   * @return the copy
   * @throws IllegalArgumentException if {@code jitter} is not in 0..1
   */
  public Reconnect withJitter(double jitter) {
    return new Reconnect(initialDelay, maxDelay, multiplier, jitter, maxAttempts);
  }

  /**
   * A copy with another attempt limit.
   *
   * @param maxAttempts attempts after one loss; 0 turns reconnection off, {@link #UNLIMITED} never gives up
   * @return the copy
   * @throws IllegalArgumentException if {@code maxAttempts} is negative
   */
  public Reconnect withMaxAttempts(int maxAttempts) {
    return new Reconnect(initialDelay, maxDelay, multiplier, jitter, maxAttempts);
  }

  /**
   * The delay before an attempt. Pure: the randomness comes in as {@code random}.
   *
   * @param attempt the attempt, counted from 0 after each loss
   * @param random a number in {@code [0, 1)}; 0.5 gives the delay without jitter
   * @return the delay, between 0 and {@link #maxDelay()}
   * @throws IllegalArgumentException if {@code attempt} is negative or {@code random} is not in {@code [0, 1)}
   */
  public Duration delay(int attempt, double random) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must be 0 or more: " + attempt);
    }
    if (!(random >= 0.0 && random < 1.0)) {
      throw new IllegalArgumentException("random must be in [0, 1): " + random);
    }
    double max = maxDelay.toNanos();
    double base = Math.min(initialDelay.toNanos() * Math.pow(multiplier, attempt), max);
    double jittered = base * (1.0 + jitter * (2.0 * random - 1.0));
    return Duration.ofNanos((long) Math.max(0.0, Math.min(jittered, max)));
  }
}
