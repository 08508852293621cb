package dev.parley.internal.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One at a time, in order, on a pool; idle again after the pool refuses or fails. */
class SerialExecutorTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void tasksFromManyThreadsRunOneAtATimeAndEachThreadsInItsOrder() throws Exception {
    SerialExecutor serial = new SerialExecutor(pool);
    int threads = 4;
    int perThread = 2_000;
    List<String> ran = new CopyOnWriteArrayList<>();
    AtomicInteger inside = new AtomicInteger();
    AtomicBoolean overlapped = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(threads * perThread);
    Thread[] producers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int thread = t;
      producers[t] = new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          int index = i;
          serial.execute(() -> {
            if (inside.incrementAndGet() != 1) {
              overlapped.set(true);
            }
            ran.add(thread + ":" + index);
            inside.decrementAndGet();
            done.countDown();
          });
        }
      });
      producers[t].start();
    }
    for (Thread producer : producers) {
      producer.join();
    }

    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(overlapped).isFalse();
    for (int t = 0; t < threads; t++) {
      String prefix = t + ":";
      List<Integer> order = ran.stream().filter(entry -> entry.startsWith(prefix))
          .map(entry -> Integer.parseInt(entry.substring(prefix.length()))).toList();
      assertThat(order).hasSize(perThread).isSorted();
    }
  }

  @Test
  void aTaskThatThrowsDoesNotStopTheNext() throws Exception {
    SerialExecutor serial = new SerialExecutor(pool);
    CountDownLatch next = new CountDownLatch(1);
    serial.execute(() -> {
      throw new IllegalStateException("thrown on purpose");
    });
    serial.execute(next::countDown);

    assertThat(next.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aPoolThatRefusesOrFailsDropsWhatIsQueuedAndTheExecutorTakesTasksAgain() throws Exception {
    AtomicInteger refusals = new AtomicInteger(2);
    SerialExecutor serial = new SerialExecutor(task -> {
      int left = refusals.getAndDecrement();
      if (left == 2) {
        throw new RejectedExecutionException("closing");
      }
      if (left == 1) {
        throw new IllegalStateException("no thread could be made");
      }
      pool.execute(task);
    });
    AtomicInteger dropped = new AtomicInteger();
    serial.execute(dropped::incrementAndGet);
    serial.execute(dropped::incrementAndGet);
    CountDownLatch ran = new CountDownLatch(1);
    serial.execute(ran::countDown);

    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(dropped).hasValue(0);
  }
}
