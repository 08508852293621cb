package dev.parley.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Races a piece of test code against itself: {@code threads} copies start together (released by one latch, so
 * they overlap as much as the machine lets them) and the caller gets their results in thread order.
 */
public final class Concurrently {
  /** One thread's share of the race. */
  @FunctionalInterface
  public interface Worker<T> {
    /**
     * @param index this thread's number, from 0 to {@code threads - 1}
     * @return what the thread found; may be null
     */
    T run(int index) throws Exception;
  }

  private Concurrently() {
  }

  /**
   * Runs {@code worker} on {@code threads} new threads at once and waits for all of them.
   *
   * @return each thread's result, in thread order
   * @throws AssertionError if a thread throws (with its exception as the cause), or if they are not all done
   *     within {@code timeout}; the threads are interrupted either way
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  public static <T> List<T> run(int threads, Duration timeout, Worker<T> worker) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> running = new ArrayList<>(threads);
      for (int t = 0; t < threads; t++) {
        int index = t;
        running.add(pool.submit(() -> {
          start.await();
          return worker.run(index);
        }));
      }
      start.countDown();
      long deadline = System.nanoTime() + timeout.toNanos();
      List<T> results = new ArrayList<>(threads);
      for (Future<T> future : running) {
        try {
          results.add(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (ExecutionException e) {
          throw new AssertionError("a racing thread failed", e.getCause());
        } catch (TimeoutException e) {
          throw new AssertionError("the racing threads were not done within " + timeout);
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
