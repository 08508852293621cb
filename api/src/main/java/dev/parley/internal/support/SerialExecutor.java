package dev.parley.internal.support;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on an underlying executor: one channel's handlers.
 * Holds no thread while idle, and no queue either: there is one per channel and per session, and most of them
 * sit idle with nothing waiting (a concurrent queue kept its object and a node on each, about 50 bytes).
 *
 * <p>Threading: {@link #execute} from any thread; a task happens-before the next one. The executor's own
 * monitor guards its state and is held only to add or take a task, never while one runs.
 */
public final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor delegate;
  // Guarded by this: the tasks waiting (none, one Runnable, or an ArrayDeque of them while there are more), and
  // whether a drain is handed to the delegate or running.
  private @Nullable Object waiting;
  private boolean running;

  public SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      Object before = waiting;
      if (before == null) {
        waiting = task;
      } else if (before instanceof Runnable first) {
        ArrayDeque<Runnable> tasks = new ArrayDeque<>(4);
        tasks.add(first);
        tasks.add(task);
        waiting = tasks;
      } else {
        queue(before).add(task);
      }
      if (running) {
        return;
      }
      running = true;
    }
    start();
  }

  @SuppressWarnings("unchecked")
  private static ArrayDeque<Runnable> queue(Object waiting) {
    return (ArrayDeque<Runnable>) waiting;
  }

  private void start() {
    try {
      delegate.execute(this::drain);
    } catch (RuntimeException e) {
      // Refused (the server is closing and its pool no longer takes work), or the pool failed outright: what is
      // queued is dropped, and the executor is idle again for what comes next.
      int dropped;
      synchronized (this) {
        Object before = waiting;
        dropped = before == null ? 0 : before instanceof Runnable ? 1 : queue(before).size();
        waiting = null;
        running = false;
      }
      if (e instanceof RejectedExecutionException) {
        log.debug("executor closed; {} queued task(s) dropped", dropped);
      } else {
        log.warn("executor failed; {} queued task(s) dropped", dropped, e);
      }
    }
  }

  private void drain() {
    for (;;) {
      Runnable task;
      synchronized (this) {
        task = next();
        if (task == null) {
          running = false;
          return;
        }
      }
      try {
        task.run();
      } catch (Throwable t) {
        log.warn("task failed", t);
      }
    }
  }

  // The next task, taken off; the queue is let go once empty, so that an idle executor keeps none. Under this.
  private @Nullable Runnable next() {
    Object head = waiting;
    if (head == null || head instanceof Runnable) {
      waiting = null;
      return (Runnable) head;
    }
    ArrayDeque<Runnable> tasks = queue(head);
    Runnable task = tasks.poll();
    if (tasks.isEmpty()) {
      waiting = null;
    }
    return task;
  }
}
