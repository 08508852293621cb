package dev.parley.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.bench.SioClient;
import dev.parley.host.jetty.JettyHost;
import dev.parley.protocol.DisconnectReason;
import dev.parley.store.memory.MemoryStore;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * What one flooding client costs the others: {@value #DEFAULT_CHATTERS} clients in one room each say a
 * line {@value #DEFAULT_LINES_PER_SECOND} times a second (with an ack; every other member receives it)
 * for {@value #DEFAULT_SECONDS} s: alone, then while another client sends {@code say} events as fast as it
 * can without acks, then with acks. The server runs with the default limits, so the flooder is held to
 * {@code maxEventsPerSecond} (what it lets through goes to every member, like any line). The figures (the
 * others' lines delivered per second, delivery and ack latency, and what became of the flood) are printed,
 * not asserted: the clients and the server share the machine. What is asserted is functional: every line
 * reaches every other member in every run, and the server refuses part of each flood as rate limited.
 *
 * <p>A normal build runs a quick version (1 s per run, 1 s of warm-up); the {@code reliability} profile
 * ({@code mvn -Preliability verify -pl bench -Dtest=FloodMeasurementTest}) or {@code -Dparley.flood=true}
 * runs the measurement ({@value #DEFAULT_SECONDS} s per run). Settings:
 * {@code -Dparley.flood.chatters}, {@code .linesPerSecond}, {@code .seconds}, and {@code .maxEventsPerSecond}
 * (the server's limit and burst; default the config's defaults).
 */
class FloodMeasurementTest {
  static final int DEFAULT_CHATTERS = 20;
  static final int DEFAULT_LINES_PER_SECOND = 25;
  static final int DEFAULT_SECONDS = 10;
  private static final int WARM_UP_SECONDS = 3;
  private static final boolean MEASURE =
      "heavy".equals(System.getProperty(Load.PROPERTY)) || Boolean.getBoolean("parley.flood");
  /** The most events the flooder sends in one run, whatever the time. */
  private static final int MAX_FLOOD = 5_000_000;
  private static final Duration SETTLE = Duration.ofSeconds(60);

  private final int chatters = Integer.getInteger("parley.flood.chatters", DEFAULT_CHATTERS);
  private final int linesPerSecond = Integer.getInteger("parley.flood.linesPerSecond", DEFAULT_LINES_PER_SECOND);
  private final int seconds = Integer.getInteger("parley.flood.seconds", MEASURE ? DEFAULT_SECONDS : 1);
  private final Integer maxEventsPerSecond = Integer.getInteger("parley.flood.maxEventsPerSecond");
  private final Map<DisconnectReason, AtomicInteger> disconnects = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .executor(Executors.newFixedThreadPool(2, daemon("flood-http"))).build();

  @Test
  void floodFromOneClientAgainstSteadyChat() throws Exception {
    try (ChatServer server = start()) {
      String url = "http://127.0.0.1:" + server.address().orElseThrow().getPort();
      List<Chatter> room = new ArrayList<>();
      for (int i = 0; i < chatters; i++) {
        room.add(Chatter.connect(http, url, i));
      }
      run(server, url, room, MEASURE ? WARM_UP_SECONDS : 1, Flood.NONE);
      Figures quiet = run(server, url, room, seconds, Flood.NONE);
      Figures flooded = run(server, url, room, seconds, Flood.WITHOUT_ACKS);
      Figures floodedAsking = run(server, url, room, seconds, Flood.WITH_ACKS);

      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("chatters", chatters + " × " + linesPerSecond + " lines/s, " + seconds + " s per run");
      figures.put("maxEventsPerSecond", server.config().maxEventsPerSecond());
      figures.put("alone", quiet);
      figures.put("flooded (events without acks)", flooded);
      figures.put("flooded (events with acks)", floodedAsking);
      for (Map.Entry<String, Figures> run : List.of(Map.entry("without acks", flooded),
          Map.entry("with acks", floodedAsking))) {
        figures.put("flood " + run.getKey() + ": deliveries/s ÷ alone", String.format(Locale.ROOT, "%.3f",
            run.getValue().deliveriesPerSecond / quiet.deliveriesPerSecond));
        figures.put("flood " + run.getKey() + ": delivery p99 ÷ alone", String.format(Locale.ROOT, "%.2f",
            (double) run.getValue().deliveryMicros[1] / Math.max(1, quiet.deliveryMicros[1])));
      }
      room.forEach(Chatter::close);
      Load.current().print("flood", figures);

      assertThat(quiet.lost).as("lines lost without the flood").isZero();
      for (Figures run : List.of(flooded, floodedAsking)) {
        assertThat(run.lost).as("lines lost during the flood").isZero();
        assertThat(run.floodRefusedByServer).as("flood events refused as rate limited").isPositive();
      }
    }
  }

  private ChatServer start() {
    return ChatServer.builder()
        .config(c -> {
          c.bindAddress("127.0.0.1").port(0);
          if (maxEventsPerSecond != null) {
            c.maxEventsPerSecond(maxEventsPerSecond).maxEventBurst(maxEventsPerSecond);
          }
        })
        .host(new JettyHost())
        .store(new MemoryStore())
        .transport(new WebSocketTransport(WebSocketTransportConfig.defaults()))
        .onConnection(channel -> {
          channel.join("room");
          channel.onDisconnect().subscribe(reason ->
              disconnects.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet());
          // A line goes to every other member of the room, then the sender's ack.
          channel.on("say", (ch, event) -> {
            ch.to("room").emit("said", event.arg(0));
            event.ack("ok");
          });
        })
        .start();
  }

  /** One run: every chatter says its lines for {@code runSeconds}, with or without a flooder beside them. */
  private Figures run(ChatServer server, String url, List<Chatter> room, int runSeconds, Flood flood)
      throws Exception {
    room.forEach(Chatter::reset);
    disconnects.clear();
    long limitedBefore = server.stats().rateLimitedEvents();
    ScheduledExecutorService pace = Executors.newScheduledThreadPool(2, daemon("flood-pace"));
    Flooder flooder = flood == Flood.NONE ? null : Flooder.connect(http, url);
    boolean floodAcks = flood == Flood.WITH_ACKS;
    AtomicBoolean flooding = new AtomicBoolean(flooder != null);
    Thread floodThread = null;
    if (flooder != null) {
      floodThread = new Thread(() -> flooder.flood(flooding, floodAcks), "flooder");
      floodThread.setDaemon(true);
      floodThread.start();
    }
    long periodMicros = 1_000_000L / linesPerSecond;
    List<ScheduledFuture<?>> schedules = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < room.size(); i++) {
      Chatter chatter = room.get(i);
      // Spread over the period, so that the lines do not all leave at the same instant.
      schedules.add(pace.scheduleAtFixedRate(chatter::say, periodMicros * i / room.size(), periodMicros,
          TimeUnit.MICROSECONDS));
    }
    TimeUnit.SECONDS.sleep(runSeconds);
    schedules.forEach(s -> s.cancel(false));
    pace.shutdown();
    assertThat(pace.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    double elapsed = (System.nanoTime() - start) / 1e9;
    flooding.set(false);
    if (floodThread != null) {
      floodThread.join(30_000);
      // Let the flood's answers arrive before counting them (a cut-off flooder never gets the rest), or
      // without acks, let the server read (and refuse or let through) what the flooder wrote.
      settle(floodAcks
          ? () -> flooder.cutOff.get() || flooder.accepted.get() + flooder.limited.get() >= flooder.sent.get()
          : () -> server.stats().rateLimitedEvents() - limitedBefore
              + room.stream().mapToLong(c -> c.floodLines.get()).sum() / room.size() >= flooder.sent.get());
    }

    long sent = room.stream().mapToLong(c -> c.sent.get()).sum();
    long expected = room.stream().mapToLong(c -> sent - c.sent.get()).sum();
    await().atMost(SETTLE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      assertThat(room.stream().mapToLong(c -> c.acked.get()).sum()).as("lines acked").isEqualTo(sent);
      assertThat(room.stream().mapToLong(c -> c.received.get()).sum()).as("lines received").isEqualTo(expected);
    });
    long received = room.stream().mapToLong(c -> c.received.get()).sum();
    Figures figures = new Figures(sent / elapsed, received / elapsed, percentiles(room, c -> c.deliveryMicros),
        percentiles(room, c -> c.ackMicros), expected - Math.min(expected, received));
    if (flooder != null) {
      figures.floodSent = flooder.sent.get();
      figures.floodPerSecond = flooder.sent.get() / flooder.seconds;
      figures.floodAccepted = flooder.accepted.get();
      figures.floodLimited = flooder.limited.get();
      figures.floodCutOff = flooder.cutOff.get();
      figures.floodLinesReceived = room.stream().mapToLong(c -> c.floodLines.get()).sum();
      // Every flood line the server let through went to each chatter once.
      figures.floodLetThrough = figures.floodLinesReceived / room.size();
      figures.floodRefusedByServer = server.stats().rateLimitedEvents() - limitedBefore;
      figures.disconnects = Map.copyOf(disconnects).toString();
      flooder.client.close();
      // Gone before the next run starts counting disconnects.
      await().atMost(SETTLE).until(() -> server.namespace().channels().size() == room.size());
    }
    return figures;
  }

  /** Waits up to 30 s for {@code done}; the figures then show whatever is left over. */
  private static void settle(Callable<Boolean> done) {
    try {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(done);
    } catch (ConditionTimeoutException e) {
      // Reported in the figures (unanswered or unread flood events), not a failure of the measurement.
    }
  }

  private static long[] percentiles(List<Chatter> room, Function<Chatter, ConcurrentLinkedQueue<Long>> of) {
    long[] all = room.stream().flatMap(c -> of.apply(c).stream()).mapToLong(Long::longValue).sorted().toArray();
    if (all.length == 0) {
      return new long[3];
    }
    return new long[] {all[all.length / 2], all[(int) Math.min(all.length - 1, all.length * 0.99)], all[all.length - 1]};
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger counter = new AtomicInteger();
    return r -> {
      Thread thread = new Thread(r, name + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Whether a run has a flooder, and whether its events ask for acks (each then gets an answer to read). */
  private enum Flood { NONE, WITHOUT_ACKS, WITH_ACKS }

  /** One steady member of the room: says numbered lines on a schedule, counts and times what it receives. */
  private static final class Chatter {
    final int id;
    final AtomicLong sent = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong floodLines = new AtomicLong();
    final ConcurrentLinkedQueue<Long> deliveryMicros = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Long> ackMicros = new ConcurrentLinkedQueue<>();
    SioClient client;

    private Chatter(int id) {
      this.id = id;
    }

    static Chatter connect(HttpClient http, String url, int id) throws Exception {
      Chatter chatter = new Chatter(id);
      chatter.client = SioClient.connect(http, url, chatter::onEvent).get(30, TimeUnit.SECONDS);
      return chatter;
    }

    void reset() {
      sent.set(0);
      acked.set(0);
      received.set(0);
      floodLines.set(0);
      deliveryMicros.clear();
      ackMicros.clear();
    }

    void say() {
      long now = System.nanoTime();
      sent.incrementAndGet();
      client.emitWithAck("[\"say\",{\"c\":" + id + ",\"t\":" + now + "}]").thenAccept(reply -> {
        ackMicros.add((System.nanoTime() - now) / 1_000);
        acked.incrementAndGet();
      });
    }

    private void onEvent(String name, String raw) {
      if (!name.equals("said")) {
        return;
      }
      int t = raw.indexOf("\"t\":");
      if (t < 0) {
        floodLines.incrementAndGet();
        return;
      }
      int end = t + 4;
      while (end < raw.length() && Character.isDigit(raw.charAt(end))) {
        end++;
      }
      deliveryMicros.add((System.nanoTime() - Long.parseLong(raw.substring(t + 4, end))) / 1_000);
      received.incrementAndGet();
    }

    void close() {
      client.close();
    }
  }

  /** The client that floods: {@code say} with an ack, back to back, until told to stop or cut off. */
  private static final class Flooder {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong limited = new AtomicLong();
    final AtomicBoolean cutOff = new AtomicBoolean();
    SioClient client;
    double seconds;

    static Flooder connect(HttpClient http, String url) throws Exception {
      Flooder flooder = new Flooder();
      flooder.client = SioClient.connect(http, url, (name, raw) -> { }).get(30, TimeUnit.SECONDS);
      return flooder;
    }

    void flood(AtomicBoolean flooding, boolean withAcks) {
      long start = System.nanoTime();
      try {
        for (int i = 0; i < MAX_FLOOD && flooding.get(); i++) {
          if (withAcks) {
            CompletableFuture<String> reply = client.emitWithAck("[\"say\",{\"f\":" + i + "}]");
            reply.thenAccept(raw -> (raw.contains("rate limited") ? limited : accepted).incrementAndGet());
          } else {
            client.emit("[\"say\",{\"f\":" + i + "}]");
          }
          sent.incrementAndGet();
        }
      } catch (RuntimeException e) {
        // The server closed the flooder (its answers piled up unread, say): that ends the flood.
        cutOff.set(true);
      }
      seconds = (System.nanoTime() - start) / 1e9;
    }
  }

  /** One run's figures; latencies in microseconds as p50, p99, max. */
  private static final class Figures {
    final double linesPerSecond;
    final double deliveriesPerSecond;
    final long[] deliveryMicros;
    final long[] ackMicros;
    final long lost;
    long floodSent;
    double floodPerSecond;
    long floodAccepted;
    long floodLimited;
    boolean floodCutOff;
    long floodLinesReceived;
    long floodRefusedByServer;
    long floodLetThrough;
    String disconnects = "{}";

    Figures(double linesPerSecond, double deliveriesPerSecond, long[] deliveryMicros, long[] ackMicros, long lost) {
      this.linesPerSecond = linesPerSecond;
      this.deliveriesPerSecond = deliveriesPerSecond;
      this.deliveryMicros = deliveryMicros;
      this.ackMicros = ackMicros;
      this.lost = lost;
    }

    @Override
    public String toString() {
      String base = String.format(Locale.ROOT, "{lines/s %.0f, deliveries/s %.0f, delivery p50/p99/max ms %s, "
              + "ack p50/p99/max ms %s, lost %d", linesPerSecond, deliveriesPerSecond, millis(deliveryMicros),
          millis(ackMicros), lost);
      if (floodSent == 0) {
        return base + "}";
      }
      return base + String.format(Locale.ROOT, "; flood: sent %d (%.0f/s), refused by the server as rate limited "
              + "%d, let through %d (delivered %d times); flooder's answers: %d ok, %d rate limited%s; "
              + "disconnects %s}", floodSent, floodPerSecond, floodRefusedByServer,
          floodLetThrough, floodLinesReceived, floodAccepted,
          floodLimited, floodCutOff ? ", its sends failed (closed)" : "", disconnects);
    }

    private static String millis(long[] micros) {
      return String.join("/", Arrays.stream(micros).mapToObj(m -> String.format(Locale.ROOT, "%.1f", m / 1000.0))
          .toList());
    }
  }
}
