package dev.parley.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.bench.SioClient;
import dev.parley.transport.sse.SseTransportConfig;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connect, join, post, disconnect, over and over, many clients at a time, over WebSocket and over SSE:
 * afterwards, with every client gone, the node holds nothing ({@code ChatServer.stats()} all zero) and the
 * heap after a full GC is back to where it was after a warm-up, within 2 KiB per cycle (at least
 * {@value #MIN_HEAP_MARGIN_MIB} MiB, the readings' noise being a few hundred KiB, and at most
 * {@value #MAX_HEAP_MARGIN_MIB} MiB).
 *
 * <p>A normal build runs {@value #QUICK_CYCLES} cycles per transport; the {@code reliability} profile
 * ({@code -Dparley.reliability.load=heavy}) runs {@value #HEAVY_CYCLES}; {@code -Dparley.churn.cycles=N}
 * sets any count. Each test prints one line with its figures.
 */
class ChurnTest {
  static final int QUICK_CYCLES = 1_000;
  static final int HEAVY_CYCLES = 100_000;
  /** Clients in flight at once. */
  private static final int CONCURRENCY = 64;
  /** Cycles before the first heap reading: enough to fill every room's kept history, pools and caches. */
  private static final int WARM_UP = LeakApp.ROOMS * LeakApp.KEPT_PER_ROOM;
  private static final long MIN_HEAP_MARGIN_MIB = 2;
  private static final long MAX_HEAP_MARGIN_MIB = 4;
  private static final long STEP_SECONDS = 30;

  private final int cycles = Integer.getInteger("parley.churn.cycles",
      "heavy".equals(System.getProperty("parley.reliability.load")) ? HEAVY_CYCLES : QUICK_CYCLES);
  private final Duration limit = Duration.ofSeconds(60).plusMillis(20L * cycles);
  // A leak of 2 KiB per cycle fails the quick run (1,000 cycles) as it failed the 2,000 of before with 4 MiB.
  private final double heapMarginMib =
      Math.max(MIN_HEAP_MARGIN_MIB, Math.min(MAX_HEAP_MARGIN_MIB, cycles * 2 / 1024.0));
  private final ExecutorService httpThreads = Executors.newFixedThreadPool(4, daemon("churn-http"));
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .executor(httpThreads).build();
  private LeakApp app;

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
    httpThreads.shutdownNow();
  }

  @Test
  void webSocketChurnLeavesNothingBehind() throws Exception {
    app = LeakApp.start(WebSocketTransportConfig.defaults(), SseTransportConfig.defaults());
    String url = app.url();
    measure("websocket", i -> {
      String room = LeakApp.room(i);
      SioClient client = SioClient.connect(http, url, (name, raw) -> { }).get(STEP_SECONDS, TimeUnit.SECONDS);
      try {
        assertThat(client.emitWithAck("[\"join\",\"" + room + "\"]").get(STEP_SECONDS, TimeUnit.SECONDS))
            .isEqualTo("[\"ok\"]");
        assertThat(client.emitWithAck("[\"post\",\"" + room + "\",{\"n\":" + i + "}]")
            .get(STEP_SECONDS, TimeUnit.SECONDS)).doesNotContain("error");
      } finally {
        // Half say goodbye (41, then a close frame); the other half just drop the connection.
        if (i % 2 == 0) {
          client.disconnect().get(STEP_SECONDS, TimeUnit.SECONDS);
        } else {
          client.close();
        }
      }
    });
  }

  @Test
  void sseChurnLeavesNothingBehind() throws Exception {
    // A stream its client cancelled is noticed when the next heartbeat cannot be written.
    app = LeakApp.start(WebSocketTransportConfig.defaults(),
        SseTransportConfig.builder().heartbeatInterval(Duration.ofMillis(200)).build());
    String url = app.url();
    measure("sse", i -> {
      String room = LeakApp.room(i);
      try (SseChurnClient client = SseChurnClient.open(http, url).get(STEP_SECONDS, TimeUnit.SECONDS)) {
        assertThat(client.post("join", "[\"" + room + "\"]")).isEqualTo("[\"ok\"]");
        assertThat(client.post("post", "[\"" + room + "\",{\"n\":" + i + "}]")).doesNotContain("error");
      }
    });
  }

  private void measure(String transport, Cycle cycle) throws Exception {
    run(WARM_UP, cycle);
    app.awaitIdle();
    Map<String, long[]> classesBefore = LeakApp.classHistogram();
    // Read after the histogram, which stays on the heap until the end, so as not to count it as growth.
    long before = LeakApp.heapAfterGc();

    long start = System.nanoTime();
    int done = run(cycles, cycle);
    double seconds = (System.nanoTime() - start) / 1e9;
    app.awaitIdle();
    long after = LeakApp.heapAfterGc();

    double growth = LeakApp.mib(after - before);
    System.out.println(String.format(Locale.ROOT, "[reliability] churn %s: %d cycles, %d at a time, in %.1f s "
            + "(%.0f/s); heap after GC %.1f MiB before, %.1f MiB after (%+.1f MiB); stats %s",
        transport, done, CONCURRENCY, seconds, done / seconds, LeakApp.mib(before), LeakApp.mib(after), growth,
        app.server.stats()));
    assertThat(done).as("cycles completed").isEqualTo(cycles);
    if (growth >= heapMarginMib) {
      System.out.println("[reliability] churn " + transport + ": what grew most\n"
          + LeakApp.growth(classesBefore, LeakApp.classHistogram(), 20));
    }
    assertThat(growth).as("heap growth in MiB over %d cycles", cycles).isLessThan(heapMarginMib);
  }

  /**
   * Runs {@code count} cycles on {@link #CONCURRENCY} threads, within {@link #limit}.
   *
   * @return the cycles completed
   * @throws AssertionError with the first failures if any cycle failed
   */
  private int run(int count, Cycle cycle) throws InterruptedException {
    ExecutorService drivers = Executors.newFixedThreadPool(CONCURRENCY, daemon("churn-driver"));
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    long deadline = System.nanoTime() + limit.toNanos();
    for (int t = 0; t < CONCURRENCY; t++) {
      drivers.execute(() -> {
        int i;
        while (failures.size() < 10 && System.nanoTime() < deadline && (i = next.getAndIncrement()) < count) {
          try {
            cycle.run(i);
            done.incrementAndGet();
          } catch (Throwable e) {
            // Errors too: a driver thread must not end silently with its cycles undone.
            failures.add(e);
          }
        }
      });
    }
    drivers.shutdown();
    assertThat(drivers.awaitTermination(limit.toSeconds() + STEP_SECONDS * 3, TimeUnit.SECONDS))
        .as("drivers finished").isTrue();
    if (!failures.isEmpty()) {
      List<Throwable> first = new ArrayList<>(failures);
      AssertionError error = new AssertionError(first.size() + " cycle(s) failed; first: " + first.get(0));
      first.forEach(error::addSuppressed);
      throw error;
    }
    return done.get();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger counter = new AtomicInteger();
    return r -> {
      Thread thread = new Thread(r, name + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** One client's connect, join, post and disconnect. */
  @FunctionalInterface
  private interface Cycle {
    void run(int i) throws Exception;
  }
}
