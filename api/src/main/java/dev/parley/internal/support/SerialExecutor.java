package dev.parley.internal.support;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on an underlying executor: one channel's handlers.
 * Holds no thread while idle.
 */
public final class SerialExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
  private static final VarHandle PENDING = Handles.field(MethodHandles.lookup(), "pending", int.class);

  private final Executor delegate;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  // Tasks queued and not yet finished, through PENDING: a field rather than an atomic object per executor.
  private volatile int pending;

  public SerialExecutor(Executor delegate) {
    this(delegate, false);
  }

  /** With {@code held}, tasks queue up but none runs until {@link #release()}. */
  public SerialExecutor(Executor delegate, boolean held) {
    this.delegate = delegate;
    pending = held ? 1 : 0;
  }

  /** Lets a held executor start running its queued tasks; call once, only on a held executor. */
  public void release() {
    if ((int) PENDING.getAndAdd(this, -1) != 1) {
      start();
    }
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    if ((int) PENDING.getAndAdd(this, 1) == 0) {
      start();
    }
  }

  private void start() {
    try {
      delegate.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // Only when the server is closing and its pool no longer takes work: what is queued is dropped.
      log.debug("executor closed; {} queued task(s) dropped", tasks.size());
      tasks.clear();
    }
  }

  private void drain() {
    do {
      Runnable task = tasks.poll();
      try {
        task.run();
      } catch (Throwable t) {
        log.warn("task failed", t);
      }
    } while ((int) PENDING.getAndAdd(this, -1) != 1);
  }
}
