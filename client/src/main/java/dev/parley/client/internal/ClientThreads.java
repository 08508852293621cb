package dev.parley.client.internal;

import dev.parley.client.ParleyClient;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.error.TransportException;
import dev.parley.protocol.support.Timers;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The threads of one client, all in one thread group so that close() can wait for every one of them to
 * end: those it names itself, and those the WebSocket client's I/O layer and the JDK HttpClient start with
 * their own names (they inherit the group, because the client opens every connection, and makes its
 * HttpClient, on its control thread). It runs the client's three kinds of work: application code on the
 * event thread, ack results and blocking steps on the control thread, and timers on a Reactor scheduler
 * (the builder's, or one of its own) that hand their task to the control thread.
 *
 * <p>Thread-safe.
 */
final class ClientThreads implements Timers {
  private static final Logger log = LoggerFactory.getLogger(ClientThreads.class);
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final String prefix = ParleyClient.THREAD_NAME_PREFIX + CLIENTS.incrementAndGet() + "-";
  private final ThreadGroup group = new ThreadGroup(prefix.substring(0, prefix.length() - 1));
  private final ThreadPoolExecutor events = single("events");
  private final ThreadPoolExecutor control = single("control");
  private final Scheduler timers;
  private final boolean ownTimers;

  /**
   * @param scheduler the scheduler of the client's timers, or null for one of the client's own, disposed
   *     with it
   */
  ClientThreads(@Nullable Scheduler scheduler) {
    this.ownTimers = scheduler == null;
    this.timers = scheduler == null ? Schedulers.newSingle(factory("timer")) : scheduler;
  }

  private ThreadPoolExecutor single(String role) {
    return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory(role));
  }

  /** Runs application code ({@code what}, for the log) on the event thread; dropped once closed. */
  void onEvents(Runnable task, String what) {
    try {
      events.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.warn("{} failed", what, e);
        }
      });
    } catch (RejectedExecutionException e) {
      log.debug("client closed; {} not run", what);
    }
  }

  /**
   * Runs on the control thread; inline once that has been shut down, so no Mono is left hanging. Every timer
   * hands its work over with this, so that a timer never blocks its scheduler nor runs client code on it.
   */
  void onControl(Runnable task) {
    try {
      control.execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }

  /** Runs a blocking step on the control thread, so that the threads it starts join the client's group. */
  Future<?> submitControl(Runnable task) {
    return control.submit(task);
  }

  /**
   * Waits for a blocking step of the first connection until {@code deadline} ({@link System#nanoTime()}),
   * and rethrows its failure as new exceptions, so that the stack trace shows the caller's connect().
   *
   * @param endpoint where the client connects, for messages
   * @param late what to throw if the step is not done by the deadline (it is cancelled first)
   * @throws dev.parley.error.ConnectionRejectedException if the server refused the client
   * @throws TransportException if the step failed, was late or the wait was interrupted
   */
  void await(Future<?> step, long deadline, URI endpoint, Supplier<TransportException> late) {
    try {
      step.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      step.cancel(true);
      throw late.get();
    } catch (InterruptedException e) {
      step.cancel(true);
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted while connecting to " + endpoint, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConnectionRejectedException rejected) {
        throw ConnectionRejectedException.of(rejected.refusal(), rejected.getMessage(), rejected.data());
      }
      if (cause instanceof TransportException transport) {
        throw new TransportException(transport.getMessage(), transport);
      }
      throw new TransportException("could not connect to " + endpoint + ": " + cause, cause);
    }
  }

  /**
   * Runs {@code task} on the control thread once {@code delay} has passed on the client's scheduler.
   *
   * @throws RejectedExecutionException if the scheduler is disposed
   */
  @Override
  public Runnable schedule(Runnable task, Duration delay) {
    return timers.schedule(() -> onControl(task), delay.toNanos(), TimeUnit.NANOSECONDS)::dispose;
  }

  /** Lets the event and control threads finish what is queued and end; disposes the client's own timers. */
  void shutdown() {
    events.shutdown();
    control.shutdown();
    disposeTimers();
  }

  /** As {@link #shutdown()}, dropping what is queued. */
  void shutdownNow() {
    events.shutdownNow();
    control.shutdownNow();
    disposeTimers();
  }

  /** Disposes the client's own timer scheduler; never one the builder was given. */
  private void disposeTimers() {
    if (ownTimers) {
      timers.dispose();
    }
  }

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
