package dev.parley.protocol.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.error.LimitExceededException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PendingAcksTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** Timers that run only when the test says so. */
  private static final class ManualTimers implements Timers {
    final List<Runnable> tasks = new ArrayList<>();
    final List<Duration> delays = new ArrayList<>();
    int cancelled;

    @Override
    public Runnable schedule(Runnable task, Duration delay) {
      tasks.add(task);
      delays.add(delay);
      return () -> cancelled++;
    }
  }

  private final ManualTimers timers = new ManualTimers();
  private final List<String> timedOut = new ArrayList<>();

  private long add(PendingAcks<String> acks, String waiter) {
    return acks.add(waiter, TIMEOUT, timers, timedOut::add);
  }

  @Test
  void handsOutIdsInOrderAndSettlesEachOnce() {
    PendingAcks<String> acks = new PendingAcks<>(10);

    assertThat(add(acks, "a")).isZero();
    assertThat(add(acks, "b")).isEqualTo(1);
    assertThat(acks.size()).isEqualTo(2);
    assertThat(timers.delays).containsExactly(TIMEOUT, TIMEOUT);

    assertThat(acks.settle(1)).isEqualTo("b");
    assertThat(acks.settle(1)).isNull();
    assertThat(acks.size()).isEqualTo(1);
    assertThat(timers.cancelled).isEqualTo(1);
    assertThat(acks.issued(1)).isTrue();
    assertThat(acks.issued(2)).isFalse();
    assertThat(acks.issued(-1)).isFalse();
    assertThat(acks.settle(7)).isNull();
  }

  @Test
  void aTimeoutTakesTheWaiterOutSoTheAnswerFindsNothing() {
    PendingAcks<String> acks = new PendingAcks<>(10);
    long id = add(acks, "a");

    timers.tasks.get(0).run();

    assertThat(timedOut).containsExactly("a");
    assertThat(acks.size()).isZero();
    assertThat(acks.settle(id)).isNull();
  }

  @Test
  void aSettledAckNeverTimesOut() {
    PendingAcks<String> acks = new PendingAcks<>(10);
    long id = add(acks, "a");

    assertThat(acks.settle(id)).isEqualTo("a");
    // A timer that cannot be cancelled any more still fires: it must find nothing.
    timers.tasks.get(0).run();

    assertThat(timedOut).isEmpty();
  }

  @Test
  void refusesMoreThanTheBoundAndTakesMoreOnceOneIsSettled() {
    PendingAcks<String> acks = new PendingAcks<>(2);
    add(acks, "a");
    add(acks, "b");

    assertThatThrownBy(() -> add(acks, "c"))
        .isInstanceOfSatisfying(LimitExceededException.class, e -> {
          assertThat(e.limit()).isEqualTo("maxPendingAcks");
          assertThat(e.value()).isEqualTo(2);
        });
    assertThat(acks.size()).isEqualTo(2);
    assertThat(timers.tasks).hasSize(2);

    acks.settle(0);
    assertThat(add(acks, "c")).isEqualTo(2);
  }

  @Test
  void failAllHandsOverEveryWaiterOnceAndCancelsTheirTimers() {
    PendingAcks<String> acks = new PendingAcks<>(10);
    add(acks, "a");
    add(acks, "b");
    List<String> failed = new ArrayList<>();

    acks.failAll(failed::add);
    acks.failAll(failed::add);
    timers.tasks.forEach(Runnable::run);

    assertThat(failed).containsExactlyInAnyOrder("a", "b");
    assertThat(timers.cancelled).isEqualTo(2);
    assertThat(timedOut).isEmpty();
    assertThat(acks.size()).isZero();
  }

  @Test
  void timersThatRefuseLeaveNothingBehind() {
    PendingAcks<String> acks = new PendingAcks<>(1);
    Timers closed = (task, delay) -> {
      throw new RejectedExecutionException("shut down");
    };

    assertThatThrownBy(() -> acks.add("a", TIMEOUT, closed, timedOut::add))
        .isInstanceOf(RejectedExecutionException.class);
    assertThat(acks.size()).isZero();
    assertThat(add(acks, "b")).isEqualTo(1);
  }

  @Test
  void rejectsANonPositiveBound() {
    assertThatThrownBy(() -> new PendingAcks<String>(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxPendingAcks must be positive: 0");
  }

  @Test
  void answerTimeoutAndCloseRacingHandEachWaiterToOneOfThem() throws Exception {
    int rounds = 2_000;
    PendingAcks<Integer> acks = new PendingAcks<>(Integer.MAX_VALUE);
    AtomicInteger handedOut = new AtomicInteger();
    List<Runnable> due = new ArrayList<>();
    Timers recorded = (task, delay) -> {
      synchronized (due) {
        due.add(task);
      }
      return () -> { };
    };
    for (int i = 0; i < rounds; i++) {
      acks.add(i, TIMEOUT, recorded, w -> handedOut.incrementAndGet());
    }
    ExecutorService pool = Executors.newFixedThreadPool(3);
    CountDownLatch go = new CountDownLatch(1);
    try {
      pool.execute(() -> {
        await(go);
        for (long id = 0; id < rounds; id++) {
          if (acks.settle(id) != null) {
            handedOut.incrementAndGet();
          }
        }
      });
      pool.execute(() -> {
        await(go);
        due.forEach(Runnable::run);
      });
      pool.execute(() -> {
        await(go);
        acks.failAll(w -> handedOut.incrementAndGet());
      });
      go.countDown();
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    assertThat(handedOut.get()).isEqualTo(rounds);
    assertThat(acks.size()).isZero();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
