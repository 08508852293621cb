package dev.parley.host.jetty;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;

/** Jetty's timer (idle timeouts and the like) on one of the host's tracked threads. */
final class HostScheduler extends AbstractLifeCycle implements Scheduler {
  private final HostThreads threads;
  private volatile @Nullable ScheduledThreadPoolExecutor executor;

  HostScheduler(HostThreads threads) {
    this.threads = threads;
  }

  @Override
  protected void doStart() throws Exception {
    ScheduledThreadPoolExecutor created = new ScheduledThreadPoolExecutor(1,
        task -> threads.newThread(task, HostThreads.PREFIX + "scheduler"));
    created.setRemoveOnCancelPolicy(true);
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

  @Override
  public Task schedule(Runnable task, long delay, TimeUnit unit) {
    ScheduledThreadPoolExecutor current = executor;
    if (current == null) {
      return () -> false;
    }
    ScheduledFuture<?> future = current.schedule(task, delay, unit);
    return () -> future.cancel(false);
  }
}
