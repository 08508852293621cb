package dev.parley.client.internal;

import dev.parley.client.ParleyClient;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The threads of one client, all in one thread group so that close() can wait for every one of them to
 * end: those it names itself, and those the WebSocket client's I/O layer and the JDK HttpClient start with
 * their own names (they inherit the group, because the client opens every connection, and makes its
 * HttpClient, on its control thread).
 */
final class ClientThreads {
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final String prefix = ParleyClient.THREAD_NAME_PREFIX + CLIENTS.incrementAndGet() + "-";
  private final ThreadGroup group = new ThreadGroup(prefix.substring(0, prefix.length() - 1));

  /** The prefix of this client's thread names, such as {@code parley-client-3-}. */
  String prefix() {
    return prefix;
  }

  /** A factory of daemon threads in the client's group, named {@code prefix + role + "-" + n}. */
  ThreadFactory factory(String role) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(group, task, prefix + role + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Interrupts the live threads of the client's group that {@code which} picks: threads a library started
   * in the group and ends on interruption (the JDK HttpClient's selector), not the client's own.
   */
  void interrupt(Predicate<Thread> which) {
    Thread[] threads = new Thread[group.activeCount() + 8];
    int count = group.enumerate(threads, true);
    for (int i = 0; i < count; i++) {
      if (threads[i].isAlive() && !threads[i].getName().startsWith(prefix) && which.test(threads[i])) {
        threads[i].interrupt();
      }
    }
  }

  /** Whether the calling thread is one of this client's. */
  boolean isOwnThread() {
    return Thread.currentThread().getThreadGroup() == group;
  }

  /**
   * Waits, up to {@code timeout} in all, for every thread of the client's group (but the caller) to end.
   *
   * @return true if all have ended
   */
  boolean awaitEnded(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Thread[] threads = new Thread[group.activeCount() + 8];
      int count = group.enumerate(threads, true);
      boolean others = false;
      for (int i = 0; i < count; i++) {
        Thread thread = threads[i];
        if (thread == Thread.currentThread() || !thread.isAlive()) {
          continue;
        }
        others = true;
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        thread.join(Math.max(1, left / 1_000_000));
      }
      if (!others) {
        return true;
      }
    }
  }
}
