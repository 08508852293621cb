package dev.parley.protocol.support;

import java.time.Duration;

/**
 * Runs a task once after a delay, and returns what cancels it: the one kind of timer that shared code
 * asks its caller for, so that it needs no scheduler library. The server passes its Reactor scheduler, the
 * client its own, tests a virtual clock:
 *
 * <pre>{@code
 * Timers timers = (task, delay) -> scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS)::dispose;
 * }</pre>
 *
 * <p>Threading: called from any thread; the task runs on the timer's thread.
 */
@FunctionalInterface
public interface Timers {

  /**
   * Runs {@code task} once after {@code delay}.
   *
   * @return cancels the task if it has not run yet; does nothing after
   * @throws RuntimeException if the timers are shut down (a {@code RejectedExecutionException}, for one)
   */
  Runnable schedule(Runnable task, Duration delay);
}
