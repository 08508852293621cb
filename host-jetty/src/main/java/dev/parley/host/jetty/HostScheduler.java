package dev.parley.host.jetty;

import java.util.Arrays;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's timer (idle timeouts and the like) on one of the host's tracked threads.
 *
 * <p>Every connection has one of Jetty's idle timeouts pending for its whole life, seconds away. A
 * {@link ScheduledThreadPoolExecutor} keeps each as a future, a callable adapter and a cancel handle (about 110
 * bytes of every idle connection) in a heap it reorders on each schedule. Delays of a second or more go instead on
 * a wheel of {@value #SLOTS} slots that the timer thread turns every {@value #TICK_MILLIS} ms, each timeout a
 * 40-byte entry in its slot's list. Ticks are counted in elapsed time: a timeout never runs early, and while the
 * timer thread is not held up at most two ticks late, which an idle timeout of seconds does not notice. Shorter delays go on the executor as before.
 *
 * <p>Threading: {@link #schedule} and {@link Task#cancel()} from any thread; the wheel is guarded by its lock,
 * held only to link, unlink and take what is due, never while a task runs. Every task runs on the timer thread. A
 * cancelled timeout leaves the wheel at once, so that closed connections leave nothing behind.
 */
final class HostScheduler extends AbstractLifeCycle implements Scheduler {
  private static final Logger log = LoggerFactory.getLogger(HostScheduler.class);
  static final long TICK_MILLIS = 50;
  static final int SLOTS = 1024;
  // Below this a delay goes on the executor: a tick would be a large share of it.
  static final long WHEEL_FROM_MILLIS = 1000;
  // Beyond this too (a week): no idle timeout is that long, and the wheel's arithmetic stays far from overflow.
  private static final long WHEEL_TO_MILLIS = TimeUnit.DAYS.toMillis(7);
  private final long tickMillis;
  private final long wheelFromMillis;

  private final HostThreads threads;
  private volatile @Nullable ScheduledThreadPoolExecutor executor;
  // Guarded by wheel: each slot's timeouts, doubly linked; the ticks turned so far, counted from the start in
  // elapsed time (a tick is turned only once its time has come, however late the timer thread runs).
  private final Object wheel = new Object();
  private final @Nullable Timeout[] slots;
  private long ticks;
  private long startNanos;

  HostScheduler(HostThreads threads) {
    this(threads, TICK_MILLIS, SLOTS, WHEEL_FROM_MILLIS);
  }

  /** With a shorter tick, fewer slots and a lower threshold, for tests. */
  HostScheduler(HostThreads threads, long tickMillis, int slots, long wheelFromMillis) {
    this.threads = threads;
    this.slots = new Timeout[slots];
    this.tickMillis = tickMillis;
    this.wheelFromMillis = wheelFromMillis;
  }

  @Override
  protected void doStart() throws Exception {
    ScheduledThreadPoolExecutor created = new ScheduledThreadPoolExecutor(1,
        task -> threads.newThread(task, HostThreads.PREFIX + "scheduler"));
    created.setRemoveOnCancelPolicy(true);
    synchronized (wheel) {
      // What a stopped timer still held is dropped, as the executor's shutdownNow drops its tasks; a handle of
      // one of those cancels nothing any more.
      for (int slot = 0; slot < slots.length; slot++) {
        for (Timeout timeout = slots[slot]; timeout != null; timeout = timeout.next) {
          timeout.task = null;
          timeout.due = true;
        }
      }
      Arrays.fill(slots, null);
      ticks = 0;
      startNanos = System.nanoTime();
    }
    created.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    executor = created;
    super.doStart();
  }

  @Override
  protected void doStop() throws Exception {
    ScheduledThreadPoolExecutor current = executor;
    executor = null;
    if (current != null) {
      current.shutdownNow();
    }
    super.doStop();
  }

  /**
   * Runs {@code task} on the timer thread after {@code delay}, at most two ticks late for a delay of a second or
   * more.
   *
   * @return its handle: {@link Task#cancel()} is true if it stopped it from running; a no-op handle once stopped
   */
  @Override
  public Task schedule(Runnable task, long delay, TimeUnit unit) {
    ScheduledThreadPoolExecutor current = executor;
    if (current == null) {
      return () -> false;
    }
    long millis = unit.toMillis(delay);
    if (millis < wheelFromMillis || millis > WHEEL_TO_MILLIS) {
      ScheduledFuture<?> future = current.schedule(task, delay, unit);
      return () -> future.cancel(false);
    }
    Timeout timeout = new Timeout(task);
    long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    synchronized (wheel) {
      // The first tick whose time is at or after the due time: never early.
      long tickNanos = TimeUnit.MILLISECONDS.toNanos(tickMillis);
      timeout.deadline = Math.max(ticks + 1, (due - startNanos + tickNanos - 1) / tickNanos);
      link(timeout);
    }
    return timeout;
  }

  /** The timeouts on the wheel now, cancelled ones having left it; linear in the wheel's size, for tests. */
  int waiting() {
    int count = 0;
    synchronized (wheel) {
      for (Timeout first : slots) {
        for (Timeout timeout = first; timeout != null; timeout = timeout.next) {
          count++;
        }
      }
    }
    return count;
  }

  // Under the wheel's lock.
  private void link(Timeout timeout) {
    int slot = slotOf(timeout.deadline);
    Timeout first = slots[slot];
    timeout.previous = null;
    timeout.next = first;
    if (first != null) {
      first.previous = timeout;
    }
    slots[slot] = timeout;
  }

  private int slotOf(long tick) {
    return (int) Math.floorMod(tick, (long) slots.length);
  }

  // Under the wheel's lock.
  private void unlink(Timeout timeout) {
    Timeout previous = timeout.previous;
    Timeout next = timeout.next;
    if (previous == null) {
      slots[slotOf(timeout.deadline)] = next;
    } else {
      previous.next = next;
    }
    if (next != null) {
      next.previous = previous;
    }
    timeout.previous = null;
    timeout.next = null;
  }

  // On the timer thread, every tick: turns the wheel up to the tick whose time has come (none if the executor ran
  // this early, several if it ran late), taking the timeouts of each slot passed that are due (those of a later
  // round stay), then runs them outside the lock.
  private void tick() {
    Timeout due = null;
    synchronized (wheel) {
      long reached = (System.nanoTime() - startNanos) / TimeUnit.MILLISECONDS.toNanos(tickMillis);
      while (ticks < reached) {
        long now = ++ticks;
        Timeout visited = slots[slotOf(now)];
        while (visited != null) {
          Timeout next = visited.next;
          if (visited.deadline <= now) {
            unlink(visited);
            visited.due = true;
            visited.next = due;
            due = visited;
          }
          visited = next;
        }
      }
    }
    while (due != null) {
      Timeout next = due.next;
      due.next = null;
      due.fire();
      due = next;
    }
  }

  /** One timeout on the wheel: its task until it runs or is cancelled, its tick, and its neighbours in its slot. */
  private final class Timeout implements Task {
    // Guarded by the wheel's lock, as are the links; the task is read once more, by the timer thread, to run it.
    private @Nullable Runnable task;
    private long deadline;
    private boolean due;
    private @Nullable Timeout previous;
    private @Nullable Timeout next;

    Timeout(Runnable task) {
      this.task = task;
    }

    @Override
    public boolean cancel() {
      synchronized (wheel) {
        if (task == null) {
          return false;
        }
        task = null;
        if (!due) {
          unlink(this);
        }
        return true;
      }
    }

    void fire() {
      Runnable run;
      synchronized (wheel) {
        run = task;
        task = null;
      }
      if (run == null) {
        return;
      }
      try {
        run.run();
      } catch (RuntimeException | Error e) {
        // One timeout's failure must not stop the wheel (a periodic task that throws is never run again).
        log.warn("a scheduled task failed", e);
      }
    }
  }
}
