package dev.parley.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * A client's timers on virtual time: a {@link VirtualTimeScheduler} that also logs each delayed task the
 * client schedules, and whether it has run. Scheduling and advancing exclude each other: otherwise a
 * {@code VirtualTimeScheduler} lets a task that falls due run on the client's thread that is scheduling at
 * that moment, after {@link #advanceTimeBy} has returned. So each due task has run (its hand-off to the
 * client's threads done) when {@code advanceTimeBy} returns, and "not yet" is a definite answer.
 */
final class TimerLog implements Scheduler {
  /** One delayed task: how far ahead it was scheduled, whether it has run, and whether it was cancelled. */
  static final class Timer {
    private final Duration delay;
    private final AtomicBoolean fired = new AtomicBoolean();
    private volatile Disposable scheduled = Disposables.never();

    Timer(Duration delay) {
      this.delay = delay;
    }

    Duration delay() {
      return delay;
    }

    boolean hasFired() {
      return fired.get();
    }

    boolean isCancelled() {
      return !fired.get() && scheduled.isDisposed();
    }
  }

  private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
  private final BlockingQueue<Timer> timers = new LinkedBlockingQueue<>();
  private final List<Duration> delays = new CopyOnWriteArrayList<>();

  /** Moves virtual time on, running the tasks that fall due, on this thread. */
  synchronized void advanceTimeBy(Duration duration) {
    time.advanceTimeBy(duration);
  }

  /**
   * The next delayed task scheduled with this delay, skipping others and those already cancelled (waiting
   * at most {@link Recorder#WAIT} in real time: the client schedules from its own threads).
   */
  Timer next(Duration delay) throws InterruptedException {
    long deadline = System.nanoTime() + Recorder.WAIT.toNanos();
    while (true) {
      Timer timer = timers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (timer == null) {
        throw new AssertionError("no timer of " + delay + " scheduled within " + Recorder.WAIT);
      }
      if (timer.delay().equals(delay) && !timer.isCancelled()) {
        return timer;
      }
    }
  }

  /**
   * The delay of every task scheduled so far, in order: what a test checks to show that the client did not
   * schedule something (a reconnect attempt), once the client has decided.
   */
  List<Duration> delays() {
    return List.copyOf(delays);
  }

  @Override
  public synchronized Disposable schedule(Runnable task) {
    return time.schedule(task);
  }

  @Override
  public synchronized Disposable schedule(Runnable task, long delay, TimeUnit unit) {
    Timer timer = new Timer(Duration.ofNanos(unit.toNanos(delay)));
    delays.add(timer.delay());
    timers.add(timer);
    timer.scheduled = time.schedule(() -> {
      timer.fired.set(true);
      task.run();
    }, delay, unit);
    return timer.scheduled;
  }

  @Override
  public long now(TimeUnit unit) {
    return time.now(unit);
  }

  @Override
  public Worker createWorker() {
    return time.createWorker();
  }

  @Override
  public void dispose() {
    time.dispose();
  }

  @Override
  public boolean isDisposed() {
    return time.isDisposed();
  }
}
