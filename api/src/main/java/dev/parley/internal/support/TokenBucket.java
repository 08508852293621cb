package dev.parley.internal.support;

/**
 * One channel's inbound event budget: {@code capacity} tokens, refilled at {@code perSecond}; each event
 * takes one. Time comes from the caller (the server's scheduler clock), so virtual time drives it in tests.
 */
public final class TokenBucket {
  private final double perNano;
  private final double capacity;
  // Guarded by this.
  private double tokens;
  private long last;

  public TokenBucket(int perSecond, int capacity, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.capacity = capacity;
    this.tokens = capacity;
    this.last = nowNanos;
  }

  /** Takes a token if there is one at {@code nowNanos}; false when the budget is spent. */
  public synchronized boolean tryTake(long nowNanos) {
    long elapsed = nowNanos - last;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * perNano);
      last = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
