package dev.parley.host.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.eclipse.jetty.util.thread.Scheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The host's timer: long delays on its wheel, short ones on its executor, each task once, on the timer thread. */
class HostSchedulerTest {
  // A 5 ms tick, delays of 100 ms or more on the wheel, and a wheel of 16 slots that comes round every 80 ms, so
  // that these delays take it round twice.
  private final HostScheduler scheduler =
      new HostScheduler(new HostThreads(HostSchedulerTest.class.getClassLoader()), 5, 16, 100);

  @BeforeEach
  void start() throws Exception {
    scheduler.start();
  }

  @AfterEach
  void stop() throws Exception {
    scheduler.stop();
  }

  @Test
  void aDelayOnTheWheelRunsOnTheTimerThreadAndNeverEarly() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    List<String> threads = new CopyOnWriteArrayList<>();
    long[] elapsed = new long[1];
    long start = System.nanoTime();
    scheduler.schedule(() -> {
      elapsed[0] = System.nanoTime() - start;
      threads.add(Thread.currentThread().getName());
      ran.countDown();
    }, 100, TimeUnit.MILLISECONDS);

    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(elapsed[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(threads).containsExactly(HostThreads.PREFIX + "scheduler");
  }

  @Test
  void aTimerThreadHeldUpCatchesUpWithoutRunningAnythingEarly() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // A task on the executor holds the timer thread, as a slow task would: the wheel's ticks wait behind it.
    scheduler.schedule(() -> {
      holding.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, 1, TimeUnit.MILLISECONDS);
    assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(150);
    CountDownLatch ran = new CountDownLatch(1);
    long[] elapsed = new long[1];
    long start = System.nanoTime();
    scheduler.schedule(() -> {
      elapsed[0] = System.nanoTime() - start;
      ran.countDown();
    }, 100, TimeUnit.MILLISECONDS);
    release.countDown();

    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(elapsed[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
  }

  @Test
  void aHandleFromBeforeARestartCancelsNothingAndTheWheelKeepsWorking() throws Exception {
    Scheduler.Task before = scheduler.schedule(() -> { }, 100, TimeUnit.MILLISECONDS);
    scheduler.stop();
    scheduler.start();
    CountDownLatch ran = new CountDownLatch(1);
    scheduler.schedule(ran::countDown, 100, TimeUnit.MILLISECONDS);

    assertThat(before.cancel()).isFalse();
    assertThat(scheduler.waiting()).isEqualTo(1);
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aDelayBeyondAWeekOrNearTheLongLimitIsTakenAndCancelled() {
    Scheduler.Task far = scheduler.schedule(() -> { }, Long.MAX_VALUE, TimeUnit.MILLISECONDS);
    Scheduler.Task week = scheduler.schedule(() -> { }, 8, TimeUnit.DAYS);

    assertThat(far.cancel()).isTrue();
    assertThat(week.cancel()).isTrue();
    assertThat(scheduler.waiting()).isZero();
  }

  @Test
  void aCancelledTimeoutNeverRunsAndCancellingTellsWhetherItStoppedOne() throws Exception {
    AtomicInteger cancelledRuns = new AtomicInteger();
    CountDownLatch later = new CountDownLatch(1);
    Scheduler.Task cancelled = scheduler.schedule(cancelledRuns::incrementAndGet, 100, TimeUnit.MILLISECONDS);
    Scheduler.Task after = scheduler.schedule(later::countDown, 120, TimeUnit.MILLISECONDS);

    assertThat(cancelled.cancel()).isTrue();
    assertThat(cancelled.cancel()).isFalse();
    assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(cancelledRuns).hasValue(0);
    assertThat(after.cancel()).isFalse();
  }

  @Test
  void aCancelledTimeoutLeavesTheWheelAtOnceAndOneThatRanIsGoneToo() throws Exception {
    Scheduler.Task[] far = new Scheduler.Task[100];
    for (int i = 0; i < far.length; i++) {
      far[i] = scheduler.schedule(() -> { }, 60, TimeUnit.SECONDS);
    }
    assertThat(scheduler.waiting()).isEqualTo(100);
    for (Scheduler.Task task : far) {
      assertThat(task.cancel()).isTrue();
    }
    assertThat(scheduler.waiting()).isZero();

    CountDownLatch ran = new CountDownLatch(1);
    scheduler.schedule(ran::countDown, 100, TimeUnit.MILLISECONDS);
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(scheduler.waiting()).isZero();
  }

  @Test
  void aDelayUnderTheWheelsRunsOnTheExecutorAndCanBeCancelled() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    AtomicInteger cancelledRuns = new AtomicInteger();
    Scheduler.Task cancelled = scheduler.schedule(cancelledRuns::incrementAndGet, 20, TimeUnit.MILLISECONDS);
    scheduler.schedule(ran::countDown, 1, TimeUnit.MILLISECONDS);

    assertThat(cancelled.cancel()).isTrue();
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    CountDownLatch after = new CountDownLatch(1);
    scheduler.schedule(after::countDown, 30, TimeUnit.MILLISECONDS);
    assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(cancelledRuns).hasValue(0);
  }

  @Test
  void aTaskThatThrowsDoesNotStopTheOthers() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    scheduler.schedule(() -> {
      throw new IllegalStateException("thrown on purpose");
    }, 100, TimeUnit.MILLISECONDS);
    scheduler.schedule(ran::countDown, 110, TimeUnit.MILLISECONDS);

    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void manyTimeoutsFromManyThreadsEachRunOnceAndNoneCancelledRuns() throws Exception {
    int count = 10_000;
    AtomicIntegerArray runs = new AtomicIntegerArray(count);
    Scheduler.Task[] tasks = new Scheduler.Task[count];
    Thread[] schedulers = new Thread[4];
    for (int t = 0; t < schedulers.length; t++) {
      int first = t;
      schedulers[t] = new Thread(() -> {
        for (int i = first; i < count; i += schedulers.length) {
          int index = i;
          // Spread over every slot and across two rounds of the wheel; most are cancelled before they are due.
          tasks[i] = scheduler.schedule(() -> runs.incrementAndGet(index), 100 + (i % 50), TimeUnit.MILLISECONDS);
        }
      });
      schedulers[t].start();
    }
    for (Thread thread : schedulers) {
      thread.join();
    }
    boolean[] stopped = new boolean[count];
    int cancelled = 0;
    for (int i = 0; i < count; i += 3) {
      stopped[i] = tasks[i].cancel();
      cancelled += stopped[i] ? 1 : 0;
    }
    int expected = count - cancelled;

    await().atMost(Duration.ofSeconds(15)).until(() -> sum(runs) == expected);
    // A while more, for any run that would come twice.
    CountDownLatch settled = new CountDownLatch(1);
    scheduler.schedule(settled::countDown, 100, TimeUnit.MILLISECONDS);
    assertThat(settled.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < count; i++) {
      assertThat(runs.get(i)).as("runs of timeout %d", i).isEqualTo(stopped[i] ? 0 : 1);
    }
  }

  private static int sum(AtomicIntegerArray runs) {
    int sum = 0;
    for (int i = 0; i < runs.length(); i++) {
      sum += runs.get(i);
    }
    return sum;
  }
}
