package dev.parley.protocol.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialDrainTest {
  private static final int PRODUCERS = 4;
  private static final int PER_PRODUCER = 20_000;

  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private record Item(int producer, int seq) {
  }

  /** A pass that takes everything, checking no other pass runs at the same time. */
  private static final class Recorder {
    final AtomicInteger inside = new AtomicInteger();
    final AtomicInteger overlaps = new AtomicInteger();
    final List<Item> handled = new ArrayList<>();
    final CountDownLatch all;
    SerialDrain<Item> drain;

    Recorder(int expected) {
      all = new CountDownLatch(expected);
    }

    void pass() {
      if (inside.incrementAndGet() != 1) {
        overlaps.incrementAndGet();
      }
      Item item;
      while ((item = drain.poll()) != null) {
        // Plain list, written only inside passes: safe only if passes are ordered by happens-before.
        handled.add(item);
        all.countDown();
      }
      inside.decrementAndGet();
    }
  }

  @Test
  void concurrentOffersAreHandledOnceEachInEachProducersOrderByOneDrainerAtATime() throws Exception {
    Recorder recorder = new Recorder(PRODUCERS * PER_PRODUCER);
    recorder.drain = new SerialDrain<>(pool, recorder::pass, failures::add);
    CyclicBarrier start = new CyclicBarrier(PRODUCERS);
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      int producer = p;
      Thread thread = new Thread(() -> {
        try {
          start.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        for (int seq = 0; seq < PER_PRODUCER; seq++) {
          recorder.drain.offer(new Item(producer, seq));
        }
      });
      thread.start();
      producers.add(thread);
    }
    for (Thread thread : producers) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }

    // A lost wake-up would leave the last items queued with nobody draining: the latch would time out.
    assertThat(recorder.all.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(recorder.overlaps).hasValue(0);
    assertThat(failures).isEmpty();
    assertThat(recorder.drain.isEmpty()).isTrue();
    // The latch's count-downs follow the adds, so the list is safe to read here.
    Map<Integer, Integer> next = new HashMap<>();
    assertThat(recorder.handled).hasSize(PRODUCERS * PER_PRODUCER);
    for (Item item : recorder.handled) {
      int expected = next.getOrDefault(item.producer(), 0);
      assertThat(item.seq()).as("producer %d", item.producer()).isEqualTo(expected);
      next.put(item.producer(), expected + 1);
    }
  }

  @Test
  void anOfferRacingTheEndOfAPassIsNeverLeftBehind() throws Exception {
    // One item per round, offered while the drain of the previous round may still be finishing: each round
    // waits for its own item, so a single lost wake-up stops the test at that round.
    AtomicReference<CountDownLatch> round = new AtomicReference<>();
    SerialDrain<Integer> drain = handing(pool, item -> round.get().countDown());
    for (int i = 0; i < 20_000; i++) {
      CountDownLatch handled = new CountDownLatch(1);
      round.set(handled);
      drain.offer(i);
      assertThat(handled.await(10, TimeUnit.SECONDS)).as("round %d", i).isTrue();
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void aPassThatOffersDoesNotRecurseOnTheCallersThread() {
    AtomicInteger depth = new AtomicInteger();
    AtomicInteger deepest = new AtomicInteger();
    List<Integer> handled = new ArrayList<>();
    AtomicReference<SerialDrain<Integer>> drain = new AtomicReference<>();
    drain.set(handing(Runnable::run, item -> {
      deepest.accumulateAndGet(depth.incrementAndGet(), Math::max);
      handled.add(item);
      if (item < 10_000) {
        // A completion that runs synchronously and asks for the next write.
        drain.get().offer(item + 1);
      }
      depth.decrementAndGet();
    }));

    drain.get().offer(0);

    assertThat(handled).hasSize(10_001).startsWith(0, 1, 2).endsWith(10_000);
    assertThat(deepest).hasValue(1);
  }

  @Test
  void aPassThatThrowsIsReportedAndTheDrainGoesOn() {
    List<String> handled = new ArrayList<>();
    SerialDrain<String> drain = handing(Runnable::run, item -> {
      if (item.equals("boom")) {
        throw new IllegalStateException("boom");
      }
      handled.add(item);
    });

    drain.offer("a");
    drain.offer("boom");
    drain.offer("b");

    assertThat(failures).singleElement().extracting(Throwable::getMessage).isEqualTo("boom");
    assertThat(handled).containsExactly("a", "b");
  }

  @Test
  void itemsAddedWithoutASignalWaitForTheNextRequest() {
    List<String> handled = new ArrayList<>();
    SerialDrain<String> drain = handing(Runnable::run, handled::add);

    drain.add("head");
    drain.add("body");
    assertThat(handled).isEmpty();
    assertThat(drain.size()).isEqualTo(2);

    drain.signal();
    assertThat(handled).containsExactly("head", "body");
    assertThat(drain.isEmpty()).isTrue();
  }

  @Test
  void aRefusingExecutorLeavesTheDrainToTheCaller() {
    List<String> handled = new ArrayList<>();
    List<Thread> handledOn = new ArrayList<>();
    SerialDrain<String> drain = handing(task -> {
      throw new RejectedExecutionException("stopping");
    }, item -> {
      handledOn.add(Thread.currentThread());
      handled.add(item);
    });

    drain.offer("last words");

    assertThat(handled).containsExactly("last words");
    assertThat(handledOn).containsExactly(Thread.currentThread());
  }

  @Test
  void anExecutorThatFailsIsReportedAndTheCallerDrains() {
    List<String> handled = new ArrayList<>();
    SerialDrain<String> drain = handing(task -> {
      throw new IllegalStateException("unable to create a thread");
    }, handled::add);

    drain.offer("first");
    drain.offer("second");

    assertThat(handled).containsExactly("first", "second");
    assertThat(failures).hasSize(2).allSatisfy(e -> assertThat(e).hasMessage("unable to create a thread"));
  }

  @Test
  void tryDrainHereStepsBackWhileAnotherThreadDrains() throws Exception {
    CountDownLatch inPass = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger passes = new AtomicInteger();
    SerialDrain<String> drain = new SerialDrain<>(pool, () -> {
      passes.incrementAndGet();
      inPass.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, failures::add);

    drain.signal();
    assertThat(inPass.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(drain.tryDrainHere()).isFalse();
    release.countDown();

    // The refused attempt asked for no pass of its own; once the drain is idle, the caller drains.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    boolean drained = false;
    while (!drained && System.nanoTime() < deadline) {
      drained = drain.tryDrainHere();
      Thread.onSpinWait();
    }
    assertThat(drained).isTrue();
    assertThat(passes).hasValue(2);
  }

  /** A drain whose pass hands every queued item to {@code handler}, in order. */
  private <T> SerialDrain<T> handing(Executor executor, Consumer<T> handler) {
    AtomicReference<SerialDrain<T>> self = new AtomicReference<>();
    self.set(new SerialDrain<>(executor, () -> {
      T item;
      while ((item = self.get().poll()) != null) {
        handler.accept(item);
      }
    }, failures::add));
    return self.get();
  }
}
