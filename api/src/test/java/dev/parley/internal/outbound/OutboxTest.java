package dev.parley.internal.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.spi.Connection;
import dev.parley.spi.Outgoing;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The outbox's own drain: every packet once, in order per producer, bounded, and nothing kept once discarded. */
class OutboxTest {
  private final ExecutorService flusher = Executors.newFixedThreadPool(2);
  private final AtomicLong nodeBytes = new AtomicLong();
  private final AtomicInteger overflows = new AtomicInteger();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private final Outbox.Owner owner = new Outbox.Owner() {
    @Override
    public void outboxOverflowed() {
      overflows.incrementAndGet();
    }

    @Override
    public void outboxFailed(Throwable error) {
      failures.add(error);
    }
  };

  @AfterEach
  void stop() {
    flusher.shutdownNow();
  }

  /** A transport that records what it is given, completing each batch at once or holding it. */
  private static final class Recording implements Connection {
    final List<String> written = new CopyOnWriteArrayList<>();
    final List<WriteCallback> held = new CopyOnWriteArrayList<>();
    volatile boolean holding;

    @Override
    public void write(List<Outgoing> batch, WriteCallback done) {
      for (Outgoing packet : batch) {
        written.add(((Packet.Control) packet.packet()).frame());
      }
      if (holding) {
        held.add(done);
      } else {
        done.written();
      }
    }

    @Override
    public void close(DisconnectReason reason) {
    }
  }

  private static Outgoing packet(String text) {
    return new Outgoing(new Packet.Control(text));
  }

  @Test
  void packetsFromManyThreadsAreEachWrittenOnceAndInEachThreadsOrder() throws Exception {
    Recording connection = new Recording();
    Outbox outbox = new Outbox(connection, new Outbox.Limits(flusher, 10_000, Long.MAX_VALUE, nodeBytes,
        Long.MAX_VALUE), owner);
    int threads = 4;
    int perThread = 5_000;
    Thread[] producers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int thread = t;
      producers[t] = new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          assertThat(outbox.offer(packet(thread + ":" + i))).isTrue();
        }
      });
      producers[t].start();
    }
    for (Thread producer : producers) {
      producer.join();
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> connection.written.size() == threads * perThread);
    for (int t = 0; t < threads; t++) {
      String prefix = t + ":";
      List<Integer> order = connection.written.stream().filter(text -> text.startsWith(prefix))
          .map(text -> Integer.parseInt(text.substring(prefix.length()))).toList();
      assertThat(order).hasSize(perThread).isSorted();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> outbox.size() == 0 && nodeBytes.get() == 0);
    assertThat(overflows).hasValue(0);
    assertThat(failures).isEmpty();
  }

  @Test
  void aClientThatDoesNotReadIsCutOffAtTheCapacityAndDiscardingKeepsNothingOfItsBacklog() {
    Recording connection = new Recording();
    connection.holding = true;
    Outbox outbox = new Outbox(connection, new Outbox.Limits(flusher, 8, Long.MAX_VALUE, nodeBytes,
        Long.MAX_VALUE), owner);
    assertThat(outbox.offer(packet("first"))).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> connection.held.size() == 1);
    List<WeakReference<Outgoing>> backlog = new ArrayList<>();
    int offered = 0;
    while (overflows.get() == 0 && offered < 100) {
      Outgoing next = packet("more-" + offered++);
      backlog.add(new WeakReference<>(next));
      outbox.offer(next);
    }

    assertThat(overflows).hasValue(1);
    assertThat(outbox.size()).isLessThanOrEqualTo(8);
    outbox.discard();
    assertThat(outbox.offer(packet("after"))).isFalse();
    assertThat(outbox.size()).isZero();
    assertThat(nodeBytes).hasValue(0);
    // A late completion of the held batch gives back nothing more than was held.
    connection.held.get(0).written();
    assertThat(nodeBytes).hasValue(0);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      System.gc();
      return backlog.stream().allMatch(reference -> reference.get() == null);
    });
  }

  @Test
  void aFlusherThatRefusesLeavesTheWritingToTheCaller() {
    Recording connection = new Recording();
    Outbox outbox = new Outbox(connection, new Outbox.Limits(task -> {
      throw new RejectedExecutionException("stopping");
    }, 100, Long.MAX_VALUE, nodeBytes, Long.MAX_VALUE), owner);

    for (int i = 0; i < 10; i++) {
      assertThat(outbox.offer(packet("p" + i))).isTrue();
    }

    assertThat(connection.written).containsExactly("p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9");
    assertThat(nodeBytes).hasValue(0);
    assertThat(failures).isEmpty();
  }
}
