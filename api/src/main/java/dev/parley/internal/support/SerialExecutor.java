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
  private static final byte IDLE = 0;
  private static final byte RUNNING = 1;
  private static final byte HELD = 2;

  private final Executor delegate;
  // Guarded by this: the tasks waiting (none, one Runnable, or an ArrayDeque of them while there are more), and
  // whether a drain is handed to the delegate or running, or the executor is held.
  private @Nullable Object waiting;
  private byte state;

  public SerialExecutor(Executor delegate) {
    this(delegate, false);
  }

  /** With {@code held}, tasks queue up but none runs until {@link #release()}. */
  public SerialExecutor(Executor delegate, boolean held) {
    this.delegate = delegate;
    this.state = held ? HELD : IDLE;
  }

  /** Lets a held executor start running its queued tasks; call once, only on a held executor. */
  public void release() {
    synchronized (this) {
      if (state != HELD) {
        return;
      }
      state = waiting == null ? IDLE : RUNNING;
      if (state == IDLE) {
        return;
      }
    }
    start();
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
      if (state != IDLE) {
        return;
      }
      state = RUNNING;
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
    } catch (RejectedExecutionException e) {
      // Only when the server is closing and its pool no longer takes work: what is queued is dropped.
      int dropped;
      synchronized (this) {
        Object before = waiting;
        dropped = before == null ? 0 : before instanceof Runnable ? 1 : queue(before).size();
        waiting = null;
        state = IDLE;
      }
      log.debug("executor closed; {} queued task(s) dropped", dropped);
    }
  }

  private void drain() {
    for (;;) {
      Runnable task;
      synchronized (this) {
        task = next();
        if (task == null) {
          state = IDLE;
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
