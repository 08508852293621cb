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
 * 40-byte entry in its slot's list; a timeout runs at most two ticks late, never early, which an idle timeout of
 * seconds does not notice. Shorter delays go on the executor as before.
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
  private final long tickMillis;
  private final long wheelFromMillis;

  private final HostThreads threads;
  private volatile @Nullable ScheduledThreadPoolExecutor executor;
  // Guarded by wheel: each slot's timeouts, doubly linked, and the ticks so far.
  private final Object wheel = new Object();
  private final @Nullable Timeout[] slots;
  private long ticks;

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
      // What a stopped timer still held is dropped, as the executor's shutdownNow drops its tasks.
      Arrays.fill(slots, null);
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
    if (millis < wheelFromMillis) {
      ScheduledFuture<?> future = current.schedule(task, delay, unit);
      return () -> future.cancel(false);
    }
    Timeout timeout = new Timeout(task);
    synchronized (wheel) {
      // Rounded up, and one tick more since the current one began up to a tick ago: never early.
      timeout.deadline = ticks + (millis + tickMillis - 1) / tickMillis + 1;
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
    int slot = (int) (timeout.deadline % slots.length);
    Timeout first = slots[slot];
    timeout.previous = null;
    timeout.next = first;
    if (first != null) {
      first.previous = timeout;
    }
    slots[slot] = timeout;
  }

  // Under the wheel's lock.
  private void unlink(Timeout timeout) {
    Timeout previous = timeout.previous;
    Timeout next = timeout.next;
    if (previous == null) {
      slots[(int) (timeout.deadline % slots.length)] = next;
    } else {
      previous.next = next;
    }
    if (next != null) {
      next.previous = previous;
    }
    timeout.previous = null;
    timeout.next = null;
  }

  // On the timer thread, every tick: takes the timeouts of this tick's slot that are due (those of a later round
  // stay), then runs them outside the lock.
  private void tick() {
    Timeout due = null;
    synchronized (wheel) {
      long now = ++ticks;
      Timeout visited = slots[(int) (now % slots.length)];
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
