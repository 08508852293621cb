package dev.parley.internal.support;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Lets a closing server wait, without polling, for counts that other threads bring down (posts in flight,
 * open sessions, recovery saves): whoever brings one to zero calls {@link #changed()}, which wakes the
 * waiter to look again. Thread-safe.
 */
public final class Settling {
  private final Object monitor = new Object();

  /** Wakes every waiter to check its condition again; call after a count the waiters watch went down. */
  public void changed() {
    synchronized (monitor) {
      monitor.notifyAll();
    }
  }

  /**
   * Blocks until {@code condition} holds or {@code deadline} ({@link System#nanoTime()}) has passed.
   *
   * @return whether the condition holds; false at the deadline or if the thread was interrupted (its flag
   *     set again)
   */
  public boolean await(BooleanSupplier condition, long deadline) {
    synchronized (monitor) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(monitor, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return condition.getAsBoolean();
        }
      }
      return true;
    }
  }
}
