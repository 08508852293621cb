package dev.parley.internal.support;

import dev.parley.ChatServerConfig;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the executor handlers run on: virtual threads on Java 21+, a bounded pool on 17. */
public final class HandlerExecutors {
  private static final Logger log = LoggerFactory.getLogger(HandlerExecutors.class);

  private HandlerExecutors() {
  }

  public static ExecutorService create(ChatServerConfig config) {
    if (config.virtualThreads()) {
      ExecutorService virtual = virtualThreadExecutor();
      if (virtual != null) {
        log.debug("handlers run on virtual threads");
        return virtual;
      }
    }
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory = task -> {
      Thread thread = new Thread(task, "parley-handler-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
    ThreadPoolExecutor pool = new ThreadPoolExecutor(config.handlerThreads(), config.handlerThreads(),
        30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
    // Idle threads end, so a quiet server holds none and a closed one leaves none behind.
    pool.allowCoreThreadTimeOut(true);
    log.debug("handlers run on a pool of {} threads", config.handlerThreads());
    return pool;
  }

  /**
   * The pool outboxes write on: one platform thread per core (writes never block, so more would only
   * compete), ending when idle so a quiet or closed server holds none.
   */
  public static ExecutorService flushPool() {
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory = task -> {
      Thread thread = new Thread(task, "parley-flush-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), factory);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Shuts an executor down and waits up to {@code timeout} for running handlers to end. */
  public static void shutdown(ExecutorService executor, Duration timeout) {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("handlers still running after {} ms; interrupting them", timeout.toMillis());
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static @Nullable ExecutorService virtualThreadExecutor() {
    try {
      // Compiled for Java 17, so reached reflectively; absent (NoSuchMethod) on 17-20.
      Method ofVirtual = Thread.class.getMethod("ofVirtual");
      Object builder = ofVirtual.invoke(null);
      Class<?> builderType = Class.forName("java.lang.Thread$Builder");
      builder = builderType.getMethod("name", String.class, long.class).invoke(builder, "parley-handler-", 1L);
      ThreadFactory factory = (ThreadFactory) builderType.getMethod("factory").invoke(builder);
      Method create = Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class);
      return (ExecutorService) create.invoke(null, factory);
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }
}
