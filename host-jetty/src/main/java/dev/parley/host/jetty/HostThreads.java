package dev.parley.host.jetty;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Makes the host's threads, all named {@code parley-jetty-…}, and tracks them so a stop can join them. */
final class HostThreads implements ThreadFactory {
  static final String PREFIX = "parley-jetty-";

  private final AtomicInteger count = new AtomicInteger();
  private final Set<Thread> live = ConcurrentHashMap.newKeySet();
  private final ClassLoader contextLoader;

  HostThreads(ClassLoader contextLoader) {
    this.contextLoader = contextLoader;
  }

  /** A pool thread: {@code parley-jetty-<n>}. */
  @Override
  public Thread newThread(Runnable task) {
    return newThread(task, PREFIX + count.incrementAndGet());
  }

  /** A thread with a name of its own, which should start with {@link #PREFIX}. */
  Thread newThread(Runnable task, String name) {
    Thread thread = new Thread(() -> {
      try {
        task.run();
      } finally {
        live.remove(Thread.currentThread());
      }
    }, name);
    // A server's threads keep the JVM alive until it is stopped, as Jetty's own do.
    thread.setDaemon(false);
    thread.setContextClassLoader(contextLoader);
    live.add(thread);
    return thread;
  }

  /**
   * Joins every thread made so far, except the caller, until they end or the deadline passes.
   *
   * @return the names of the threads still alive, empty if all ended
   */
  List<String> join(long deadlineNanos) {
    for (Thread thread : List.copyOf(live)) {
      if (thread == Thread.currentThread()) {
        continue;
      }
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return live.stream()
        .filter(t -> t.isAlive() && t != Thread.currentThread())
        .map(Thread::getName)
        .sorted()
        .toList();
  }
}
