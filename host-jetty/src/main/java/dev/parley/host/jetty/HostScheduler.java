package dev.parley.host.jetty;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * 32-byte entry; a timeout runs at most two ticks late, never early, which an idle timeout of seconds does not
 * notice. Shorter delays go on the executor as before.
 *
 * <p>Threading: {@link #schedule} from any thread (a lock-free push); the wheel is the timer thread's own, and
 * every task runs on it. A cancelled entry stays on the wheel until its slot comes round, without its task.
 */
final class HostScheduler extends AbstractLifeCycle implements Scheduler {
  private static final Logger log = LoggerFactory.getLogger(HostScheduler.class);
  static final long TICK_MILLIS = 50;
  static final int SLOTS = 1024;
  // Below this a delay goes on the executor: a tick would be a large share of it.
  static final long WHEEL_FROM_MILLIS = 1000;
  private final long tickMillis;
  private final long wheelFromMillis;
  private static final VarHandle ARRIVED;

  static {
    try {
      ARRIVED = MethodHandles.lookup().findVarHandle(HostScheduler.class, "arrived", Timeout.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final HostThreads threads;
  private volatile @Nullable ScheduledThreadPoolExecutor executor;
  // Timeouts scheduled since the last tick, newest first (through ARRIVED); the tick puts them in their slots.
  private volatile @Nullable Timeout arrived;
  // The timer thread's own: each slot's timeouts, linked, and the ticks so far (written by that thread only).
  private final @Nullable Timeout[] slots;
  private volatile long ticks;

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
    // What a stopped timer still held is dropped, as the executor's shutdownNow drops its tasks.
    arrived = null;
    Arrays.fill(slots, null);
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
    // Rounded up, and one tick more since the current one began up to a tick ago: never early.
    Timeout timeout = new Timeout(task, ticks + (millis + tickMillis - 1) / tickMillis + 1);
    Timeout top;
    do {
      top = arrived;
      timeout.next = top;
    } while (!ARRIVED.compareAndSet(this, top, timeout));
    return timeout;
  }

  // On the timer thread, every tick: the timeouts that arrived go to their slots (or run, if due already), then
  // the slot of this tick runs those due and keeps those of a later round.
  private void tick() {
    long now = ticks + 1;
    ticks = now;
    Timeout pending = (Timeout) ARRIVED.getAndSet(this, null);
    while (pending != null) {
      Timeout next = pending.next;
      place(pending, now);
      pending = next;
    }
    int slot = (int) (now % slots.length);
    Timeout visited = slots[slot];
    slots[slot] = null;
    while (visited != null) {
      Timeout next = visited.next;
      place(visited, now);
      visited = next;
    }
  }

  private void place(Timeout timeout, long now) {
    if (timeout.deadline <= now) {
      timeout.fire();
      return;
    }
    if (timeout.task == null) {
      return;
    }
    int slot = (int) (timeout.deadline % slots.length);
    timeout.next = slots[slot];
    slots[slot] = timeout;
  }

  /** One timeout on the wheel: its task until it runs or is cancelled, its tick, and the next in its list. */
  private static final class Timeout implements Task {
    private static final VarHandle TASK;

    static {
      try {
        TASK = MethodHandles.lookup().findVarHandle(Timeout.class, "task", Runnable.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final long deadline;
    volatile @Nullable Runnable task;
    @Nullable Timeout next;

    Timeout(Runnable task, long deadline) {
      this.task = task;
      this.deadline = deadline;
    }

    @Override
    public boolean cancel() {
      return TASK.getAndSet(this, null) != null;
    }

    void fire() {
      Runnable due = (Runnable) TASK.getAndSet(this, null);
      if (due == null) {
        return;
      }
      try {
        due.run();
      } catch (RuntimeException | Error e) {
        // One timeout's failure must not stop the wheel (a periodic task that throws is never run again).
        log.warn("a scheduled task failed", e);
      }
    }
  }
}
