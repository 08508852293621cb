package dev.parley.internal.support;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The server's timer scheduler as the engine and the transports see it: the scheduler underneath, plus a
 * count of the tasks waiting on it, for {@code ServerStats.timers()}. A one-shot task counts until it
 * starts or is cancelled, a periodic one until it is cancelled (Reactor keeps running a periodic task
 * that throws, so failing does not end it).
 */
public final class TimerCounter implements Scheduler {
  private static final VarHandle FINISHED =
      Handles.field(MethodHandles.lookup(), Counted.class, "finished", boolean.class);
  private final Scheduler delegate;
  private final AtomicInteger waiting = new AtomicInteger();

  public TimerCounter(Scheduler delegate) {
    this.delegate = delegate;
  }

  /**
   * The scheduler underneath, whose tasks are not counted: for the node's own periodic work (its heartbeat to
   * the other nodes), which no client holds and which would keep a node with no clients from looking idle.
   */
  public Scheduler uncounted() {
    return delegate;
  }

  /** Tasks scheduled and not yet started (one-shot) or not yet cancelled (periodic). */
  public int waiting() {
    return waiting.get();
  }

  @Override
  public Disposable schedule(Runnable task) {
    return count(task, false, null, delegate::schedule);
  }

  @Override
  public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
    return count(task, false, null, counted -> delegate.schedule(counted, delay, unit));
  }

  @Override
  public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
    return count(task, true, null, counted -> delegate.schedulePeriodically(counted, initialDelay, period, unit));
  }

  @Override
  public long now(TimeUnit unit) {
    return delegate.now(unit);
  }

  @Override
  public Worker createWorker() {
    return new CountingWorker(delegate.createWorker());
  }

  @Override
  public void dispose() {
    delegate.dispose();
  }

  @Override
  public Mono<Void> disposeGracefully() {
    return delegate.disposeGracefully();
  }

  @Override
  public boolean isDisposed() {
    return delegate.isDisposed();
  }

  @Override
  public void init() {
    delegate.init();
  }

  @Override
  @SuppressWarnings("deprecation")
  public void start() {
    delegate.start();
  }

  /**
   * Counts {@code task} from now until it is done waiting, and schedules it with {@code schedule}: on the
   * scheduler, or on a worker that keeps its tasks in {@code worker}. The one path for all six ways to
   * schedule, which differ only in the call underneath.
   */
  private Disposable count(Runnable task, boolean periodic, @Nullable Set<Counted> worker,
      Function<Runnable, Disposable> schedule) {
    Counted counted = new Counted(task, periodic, worker);
    waiting.incrementAndGet();
    if (worker != null) {
      worker.add(counted);
    }
    try {
      counted.underlying = schedule.apply(counted);
    } catch (RuntimeException e) {
      // Rejected (the scheduler is disposed): nothing waits.
      counted.finish();
      throw e;
    }
    return counted;
  }

  /** A task and its place in the count; disposing it cancels the task underneath and uncounts it. */
  private final class Counted implements Runnable, Disposable {
    private final Runnable task;
    private final boolean periodic;
    private final @Nullable Set<Counted> worker;
    // Through FINISHED: a field rather than an atomic object, since every connection has timers waiting.
    private volatile boolean finished;
    private volatile @Nullable Disposable underlying;

    Counted(Runnable task, boolean periodic, @Nullable Set<Counted> worker) {
      this.task = task;
      this.periodic = periodic;
      this.worker = worker;
    }

    @Override
    public void run() {
      if (!periodic) {
        finish();
      }
      task.run();
    }

    void finish() {
      if (FINISHED.compareAndSet(this, false, true)) {
        waiting.decrementAndGet();
        if (worker != null) {
          worker.remove(this);
        }
      }
    }

    @Override
    public void dispose() {
      finish();
      Disposable current = underlying;
      if (current != null) {
        current.dispose();
      }
    }

    @Override
    public boolean isDisposed() {
      Disposable current = underlying;
      return current != null ? current.isDisposed() : finished;
    }
  }

  /** A worker whose tasks are counted too; disposing it uncounts what it had waiting. */
  private final class CountingWorker implements Worker {
    private final Worker delegateWorker;
    private final Set<Counted> tasks = ConcurrentHashMap.newKeySet();

    CountingWorker(Worker delegateWorker) {
      this.delegateWorker = delegateWorker;
    }

    @Override
    public Disposable schedule(Runnable task) {
      return count(task, false, tasks, delegateWorker::schedule);
    }

    @Override
    public Disposable schedule(Runnable task, long delay, TimeUnit unit) {
      return count(task, false, tasks, counted -> delegateWorker.schedule(counted, delay, unit));
    }

    @Override
    public Disposable schedulePeriodically(Runnable task, long initialDelay, long period, TimeUnit unit) {
      return count(task, true, tasks,
          counted -> delegateWorker.schedulePeriodically(counted, initialDelay, period, unit));
    }

    @Override
    public void dispose() {
      delegateWorker.dispose();
      for (Counted counted : tasks) {
        counted.finish();
      }
    }

    @Override
    public boolean isDisposed() {
      return delegateWorker.isDisposed();
    }
  }
}
