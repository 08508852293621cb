package dev.parley.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BiConsumer;

/**
 * Load for any Socket.IO v5 server (and Parley's SSE transport), from one process without a thread per
 * connection. Each scenario prints one JSON line and a one-line summary.
 *
 * <pre>
 * java -jar parley-bench.jar --url http://127.0.0.1:3000 --scenario fanout [--clients 1000] [--messages 2000]
 *      [--window 100] [--rate 100] [--seconds 10] [--connections 10000] [--concurrency 200] [--server-pid N]
 *      [--transport websocket|polling] [--hold 0] [--warmup 0]
 * </pre>
 * Scenarios: fanout, latency, idle ({@code --hold N} keeps the connections N seconds after the reading),
 * connect ({@code --warmup N} first makes N untimed connections and reports the run as {@code connect-warm}),
 * sse-fanout, sse-idle (idle with SSE streams). With {@code --server-pid}, the server's CPU
 * seconds (from /proc/PID/stat) per million deliveries and its resident memory are reported.
 * {@code --transport polling} makes the receiving (fanout, latency), idle and connecting clients Engine.IO
 * long-polling sessions ({@link PollingSioClient}) and reports the scenario as {@code fanout-polling} and so on;
 * the one publisher stays on WebSocket, so both runs measure the same sending side.
 */
public final class LoadGenerator {
  private static final Duration LIMIT = Duration.ofSeconds(180);
  private final Map<String, String> options;
  private final String url;
  // jdk.httpclient.connectionPoolSize stays at its default, 0 (no limit): a smaller pool would close a
  // long-poll's connection after each answer and the run would measure TCP connects. The sessions bound the
  // connections instead (two each at most: the held GET and a POST).
  private final HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(2, r -> {
    Thread thread = new Thread(r, "loadgen-io");
    thread.setDaemon(true);
    return thread;
  })).build();
  private final long serverPid;
  private final boolean polling;

  private LoadGenerator(Map<String, String> options) {
    this.options = options;
    this.url = options.getOrDefault("url", "http://127.0.0.1:3000");
    this.serverPid = Long.parseLong(options.getOrDefault("server-pid", "0"));
    String transport = options.getOrDefault("transport", "websocket");
    if (!transport.equals("websocket") && !transport.equals("polling")) {
      throw new IllegalArgumentException("--transport must be websocket or polling: " + transport);
    }
    this.polling = transport.equals("polling");
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --flag value pairs: " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    LoadGenerator generator = new LoadGenerator(options);
    String scenario = options.getOrDefault("scenario", "fanout");
    Map<String, Object> result = switch (scenario) {
      case "fanout" -> generator.fanout(false);
      case "sse-fanout" -> generator.fanout(true);
      case "latency" -> generator.latency();
      case "idle" -> generator.idle(false);
      case "sse-idle" -> generator.idle(true);
      case "connect" -> generator.connect();
      default -> throw new IllegalArgumentException("unknown scenario: " + scenario
          + " (fanout, latency, idle, connect, sse-fanout, sse-idle)");
    };
    // A warmed-up connect run, and a run over polling, is its own row in the summary.
    String row = scenario.equals("connect") && generator.option("warmup", 0) > 0 ? "connect-warm" : scenario;
    result.put("scenario", generator.polling && !scenario.startsWith("sse-") ? row + "-polling" : row);
    System.out.println(json(result));
    System.out.println(summary(result));
    System.exit(0);
  }

  private int option(String name, int fallback) {
    return Integer.parseInt(options.getOrDefault(name, String.valueOf(fallback)));
  }

  // ---- scenarios ----

  private Map<String, Object> fanout(boolean sse) throws Exception {
    int clients = option("clients", 1000);
    int messages = option("messages", 2000);
    int window = option("window", 100);
    String room = "bench";
    AtomicInteger[] received = new AtomicInteger[messages];
    for (int i = 0; i < messages; i++) {
      received[i] = new AtomicInteger();
    }
    AtomicLongArray latencies = new AtomicLongArray((int) Math.min((long) clients * messages, Integer.MAX_VALUE - 8));
    AtomicInteger recorded = new AtomicInteger();
    Semaphore inFlight = new Semaphore(window);
    AtomicLong delivered = new AtomicLong();
    MessageSink sink = (payload) -> {
      long now = System.nanoTime();
      int t = payload.indexOf("\"t\":");
      int i = payload.indexOf("\"i\":");
      long sent = Long.parseLong(payload.substring(t + 4, payload.indexOf(',', t)));
      int index = Integer.parseInt(payload.substring(i + 4, indexOfEnd(payload, i + 4)));
      int slot = recorded.getAndIncrement();
      if (slot < latencies.length()) {
        latencies.set(slot, now - sent);
      }
      delivered.incrementAndGet();
      if (received[index].incrementAndGet() == clients) {
        inFlight.release();
      }
    };
    List<Runnable> closers = new ArrayList<>();
    List<BenchClient> receivers = List.of();
    if (sse) {
      openSseStreams(clients, room, sink, closers);
    } else {
      receivers = connectMany(clients, (name, raw) -> {
        if (name.equals("msg")) {
          sink.accept(raw);
        }
      });
      for (BenchClient client : receivers) {
        client.emitWithAck("[\"join\",\"" + room + "\"]").get(30, TimeUnit.SECONDS);
        closers.add(client::close);
      }
    }
    SioClient publisher = SioClient.connect(http, url, (n, r) -> { }).get(30, TimeUnit.SECONDS);
    String padding = "x".repeat(64);
    long pollsBefore = polls(receivers);
    Cpu cpu = Cpu.read(serverPid);
    long start = System.nanoTime();
    for (int i = 0; i < messages; i++) {
      if (!inFlight.tryAcquire(30, TimeUnit.SECONDS)) {
        break;
      }
      publisher.emit("[\"pub\",\"" + room + "\",{\"t\":" + System.nanoTime() + ",\"i\":" + i + ",\"p\":\"" + padding + "\"}]");
    }
    long expected = (long) clients * messages;
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (delivered.get() < expected && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Cpu used = Cpu.read(serverPid).minus(cpu);
    long polls = polls(receivers) - pollsBefore;
    closers.forEach(Runnable::run);
    publisher.close();
    Map<String, Object> out = percentiles(latencies, Math.min(recorded.get(), latencies.length()));
    out.put("clients", clients);
    out.put("messages", messages);
    out.put("delivered", delivered.get());
    out.put("expected", expected);
    out.put("deliveries_per_s", Math.round(delivered.get() / seconds));
    out.put("seconds", round(seconds));
    if (polls > 0) {
      // How many messages a long-poll answer carried on average: what the server batched per HTTP round trip.
      out.put("polls", polls);
      out.put("deliveries_per_poll", round(delivered.get() / (double) polls));
    }
    used.report(out, delivered.get());
    return out;
  }

  private Map<String, Object> latency() throws Exception {
    int clients = option("clients", 1000);
    int rate = option("rate", 100);
    int seconds = option("seconds", 10);
    int messages = rate * seconds;
    AtomicLongArray latencies = new AtomicLongArray(clients * messages);
    AtomicInteger recorded = new AtomicInteger();
    List<BenchClient> receivers = connectMany(clients, (name, raw) -> {
      if (name.equals("msg")) {
        long now = System.nanoTime();
        int t = raw.indexOf("\"t\":");
        long sent = Long.parseLong(raw.substring(t + 4, raw.indexOf(',', t)));
        int slot = recorded.getAndIncrement();
        if (slot < latencies.length()) {
          latencies.set(slot, now - sent);
        }
      }
    });
    for (BenchClient client : receivers) {
      client.emitWithAck("[\"join\",\"bench\"]").get(30, TimeUnit.SECONDS);
    }
    SioClient publisher = SioClient.connect(http, url, (n, r) -> { }).get(30, TimeUnit.SECONDS);
    Cpu cpu = Cpu.read(serverPid);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger sent = new AtomicInteger();
    timer.scheduleAtFixedRate(() -> {
      int i = sent.getAndIncrement();
      if (i < messages) {
        publisher.emit("[\"pub\",\"bench\",{\"t\":" + System.nanoTime() + ",\"i\":" + i + "}]");
      }
    }, 0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
    long expected = (long) clients * messages;
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds + 30L).toNanos();
    while (recorded.get() < expected && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
    timer.shutdownNow();
    Cpu used = Cpu.read(serverPid).minus(cpu);
    receivers.forEach(BenchClient::close);
    publisher.close();
    Map<String, Object> out = percentiles(latencies, Math.min(recorded.get(), latencies.length()));
    out.put("clients", clients);
    out.put("rate", rate);
    out.put("delivered", recorded.get());
    out.put("expected", expected);
    used.report(out, recorded.get());
    return out;
  }

  private Map<String, Object> idle(boolean sse) throws Exception {
    int connections = option("connections", 10_000);
    long before = rssKiB(serverPid);
    List<Runnable> closers = new ArrayList<>();
    if (sse) {
      openSseStreams(connections, "idle", payload -> { }, closers);
    } else {
      connectMany(connections, (n, r) -> { }).forEach(client -> closers.add(client::close));
    }
    // Let the server settle (allocations of the handshakes become garbage) before reading its memory.
    TimeUnit.SECONDS.sleep(3);
    long after = rssKiB(serverPid);
    // --hold N keeps the connections N seconds more, for a heap histogram or a profile of the idle server.
    TimeUnit.SECONDS.sleep(option("hold", 0));
    closers.forEach(Runnable::run);
    Map<String, Object> out = new HashMap<>();
    out.put("connections", closers.size());
    out.put("rss_before_kib", before);
    out.put("rss_after_kib", after);
    out.put("kib_per_connection", closers.isEmpty() ? 0 : round((after - before) / (double) closers.size()));
    return out;
  }

  private Map<String, Object> connect() throws Exception {
    int connections = option("connections", 2000);
    int warmup = option("warmup", 0);
    if (warmup > 0) {
      // Untimed rounds first, so the figure is the server's steady state rather than its start-up (a fresh
      // JVM spends much of its first thousands of upgrades compiling them).
      for (int done = 0; done < warmup; done += connections) {
        connectMany(Math.min(connections, warmup - done), (n, r) -> { }).forEach(BenchClient::close);
      }
      TimeUnit.SECONDS.sleep(1);
    }
    Cpu cpu = Cpu.read(serverPid);
    long start = System.nanoTime();
    List<BenchClient> clients = connectMany(connections, (n, r) -> { });
    double seconds = (System.nanoTime() - start) / 1e9;
    Cpu used = Cpu.read(serverPid).minus(cpu);
    long[] handshakes = clients.stream().mapToLong(BenchClient::connectNanos).sorted().toArray();
    clients.forEach(BenchClient::close);
    Map<String, Object> out = new HashMap<>();
    out.put("connections", clients.size());
    out.put("warmup_connections", warmup);
    out.put("connections_per_s", Math.round(clients.size() / seconds));
    out.put("handshake_p50_ms", round(handshakes[handshakes.length / 2] / 1e6));
    out.put("handshake_p99_ms", round(handshakes[(int) (handshakes.length * 0.99)] / 1e6));
    used.report(out, 0);
    return out;
  }

  // ---- connections ----

  private List<BenchClient> connectMany(int count, BiConsumer<String, String> onEvent) throws Exception {
    int concurrency = option("concurrency", 200);
    Semaphore permits = new Semaphore(concurrency);
    List<CompletableFuture<? extends BenchClient>> pending = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      if (!permits.tryAcquire(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("connections stalled at " + i);
      }
      CompletableFuture<? extends BenchClient> client = polling
          ? PollingSioClient.connect(http, url, onEvent) : SioClient.connect(http, url, onEvent);
      pending.add(client.whenComplete((c, e) -> permits.release()));
    }
    List<BenchClient> clients = new ArrayList<>(count);
    for (CompletableFuture<? extends BenchClient> future : pending) {
      clients.add(future.get(60, TimeUnit.SECONDS));
    }
    return clients;
  }

  private static long polls(List<BenchClient> clients) {
    long polls = 0;
    for (BenchClient client : clients) {
      if (client instanceof PollingSioClient session) {
        polls += session.polls();
      }
    }
    return polls;
  }

  private void openSseStreams(int count, String room, MessageSink sink, List<Runnable> closers) throws Exception {
    CompletableFuture<?>[] ready = new CompletableFuture<?>[count];
    for (int i = 0; i < count; i++) {
      CompletableFuture<Void> open = new CompletableFuture<>();
      ready[i] = open;
      HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/sse/?room=" + room))
          .header("Accept", "text/event-stream").build();
      LineSubscriber lines = new LineSubscriber(sink, open);
      http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(lines));
      closers.add(lines::cancel);
    }
    CompletableFuture.allOf(ready).get(120, TimeUnit.SECONDS);
  }

  /** Reads an event stream line by line; {@code data:} lines of {@code msg} events go to the sink. */
  private static final class LineSubscriber implements Flow.Subscriber<String> {
    private final MessageSink sink;
    private final CompletableFuture<Void> open;
    private volatile Flow.Subscription subscription;
    private boolean inMessage;

    LineSubscriber(MessageSink sink, CompletableFuture<Void> open) {
      this.sink = sink;
      this.open = open;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (line.startsWith("event: parley:session")) {
        open.complete(null);
      } else if (line.equals("event: msg")) {
        inMessage = true;
      } else if (inMessage && line.startsWith("data: ")) {
        inMessage = false;
        sink.accept(line.substring(6));
      }
    }

    @Override
    public void onError(Throwable error) {
      open.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
    }

    void cancel() {
      Flow.Subscription current = subscription;
      if (current != null) {
        current.cancel();
      }
    }
  }

  @FunctionalInterface
  private interface MessageSink {
    void accept(String payload);
  }

  // ---- figures ----

  private static int indexOfEnd(String text, int from) {
    int i = from;
    while (i < text.length() && Character.isDigit(text.charAt(i))) {
      i++;
    }
    return i;
  }

  private static Map<String, Object> percentiles(AtomicLongArray values, int count) {
    long[] sorted = new long[count];
    for (int i = 0; i < count; i++) {
      sorted[i] = values.get(i);
    }
    Arrays.sort(sorted);
    Map<String, Object> out = new HashMap<>();
    if (count == 0) {
      return out;
    }
    out.put("p50_ms", round(sorted[count / 2] / 1e6));
    out.put("p99_ms", round(sorted[Math.min(count - 1, (int) (count * 0.99))] / 1e6));
    out.put("p999_ms", round(sorted[Math.min(count - 1, (int) (count * 0.999))] / 1e6));
    out.put("max_ms", round(sorted[count - 1] / 1e6));
    return out;
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  private static long rssKiB(long pid) throws IOException {
    if (pid <= 0) {
      return 0;
    }
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }

  /**
   * The server's user + system CPU time, from /proc/PID/stat (clock ticks of 1/100 s), and this generator's
   * own: on a machine the two share, a generator that uses most of the CPU is the bottleneck, and says so.
   */
  private record Cpu(long ticks, long ownTicks) {
    static Cpu read(long pid) throws IOException {
      return new Cpu(pid <= 0 ? 0 : ticks(String.valueOf(pid)), ticks("self"));
    }

    private static long ticks(String pid) throws IOException {
      String stat = Files.readString(Path.of("/proc", pid, "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    Cpu minus(Cpu earlier) {
      return new Cpu(ticks - earlier.ticks, ownTicks - earlier.ownTicks);
    }

    void report(Map<String, Object> out, long deliveries) {
      double seconds = ticks / 100.0;
      out.put("server_cpu_s", seconds);
      out.put("generator_cpu_s", ownTicks / 100.0);
      if (deliveries > 0) {
        out.put("server_cpu_s_per_million", round(seconds / deliveries * 1_000_000));
        out.put("generator_cpu_s_per_million", round(ownTicks / 100.0 / deliveries * 1_000_000));
      }
    }
  }

  private static String json(Map<String, Object> values) {
    StringBuilder out = new StringBuilder("{");
    values.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
      if (out.length() > 1) {
        out.append(',');
      }
      out.append('"').append(entry.getKey()).append("\":");
      Object value = entry.getValue();
      out.append(value instanceof String ? "\"" + value + "\"" : String.valueOf(value));
    });
    return out.append('}').toString();
  }

  private static String summary(Map<String, Object> r) {
    return String.format(Locale.ROOT, "%s: %s", r.get("scenario"), r.entrySet().stream()
        .filter(e -> !e.getKey().equals("scenario")).sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + " " + b).orElse(""));
  }
}
