package dev.parley.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.ServerStats;
import dev.parley.host.jetty.JettyHost;
import dev.parley.host.jetty.JettyHostConfig;
import dev.parley.store.memory.MemoryStore;
import dev.parley.store.memory.MemoryStoreConfig;
import dev.parley.transport.sse.SseTransport;
import dev.parley.transport.sse.SseTransportConfig;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.management.ObjectName;

/**
 * The node the leak tests churn: the embedded Jetty host on 127.0.0.1 with both transports and a memory
 * store that keeps {@value #KEPT_PER_ROOM} messages per room, so the history it holds stops growing once
 * every one of the {@value #ROOMS} rooms is full. Its app: {@code join(room, ack)} joins and acks
 * {@code "ok"}; {@code post(room, payload, ack)} posts {@code msg} to the room and acks the message id once
 * stored (or {@code {"error": ...}}).
 */
final class LeakApp implements AutoCloseable {
  /** The rooms the clients spread over. */
  static final int ROOMS = 40;
  static final int KEPT_PER_ROOM = 10;
  /** How long a node may take to notice that every client left. */
  static final Duration SETTLE = Duration.ofSeconds(30);

  final ChatServer server;

  private LeakApp(ChatServer server) {
    this.server = server;
  }

  static LeakApp start(WebSocketTransportConfig websocket, SseTransportConfig sse) {
    return start(websocket, sse, JettyHostConfig.defaults());
  }

  static LeakApp start(WebSocketTransportConfig websocket, SseTransportConfig sse, JettyHostConfig host) {
    return start(websocket, sse, host, c -> { });
  }

  /** As {@link #start(WebSocketTransportConfig, SseTransportConfig, JettyHostConfig)}, with server settings changed. */
  static LeakApp start(WebSocketTransportConfig websocket, SseTransportConfig sse, JettyHostConfig host,
                       Consumer<ChatServerConfig.Builder> changes) {
    ChatServer server = ChatServer.builder()
        // Recovery off: with it, the store keeps each dropped channel's state for maxDisconnectionDuration
        // (2 minutes by default) on purpose, which would hide what the engine itself leaves behind.
        .config(c -> c.bindAddress("127.0.0.1").port(0).maxDisconnectionDuration(Duration.ZERO))
        .config(changes)
        .host(new JettyHost(host))
        .store(new MemoryStore(new MemoryStoreConfig(KEPT_PER_ROOM)))
        .transport(new WebSocketTransport(websocket))
        .transport(new SseTransport(sse))
        .onConnection(channel -> {
          channel.on("join", (ch, event) -> ch.join(event.arg(0, String.class)).subscribe(v -> { },
              e -> event.ack(Map.of("error", e.toString())), () -> event.ack("ok")));
          channel.on("post", (ch, event) -> ch.post(event.arg(0, String.class), "msg", event.arg(1)).subscribe(
              message -> event.ack(message.id()), e -> event.ack(Map.of("error", e.toString()))));
        })
        .start();
    return new LeakApp(server);
  }

  /** The room of cycle {@code i}. */
  static String room(int i) {
    return "room-" + (i % ROOMS);
  }

  InetSocketAddress address() {
    return server.address().orElseThrow();
  }

  String url() {
    return "http://127.0.0.1:" + address().getPort();
  }

  /** Waits (up to {@link #SETTLE}) until the node holds nothing for any client; fails showing what is left. */
  void awaitIdle() {
    await().atMost(SETTLE).untilAsserted(() -> {
      ServerStats stats = server.stats();
      assertThat(stats.isIdle()).as("idle: %s", stats).isTrue();
    });
  }

  /**
   * The heap in use after full collections: the least of a few readings, each after {@link System#gc()},
   * since one collection may leave garbage that the next one takes.
   */
  static long heapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
    }
    return least;
  }

  /**
   * Instances and bytes per class on the heap, from HotSpot's class histogram (which collects first); for
   * showing what grew when the heap did not come back.
   */
  static Map<String, long[]> classHistogram() throws Exception {
    String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    Map<String, long[]> classes = new HashMap<>();
    for (String line : text.split("\n")) {
      // "   1:   12345   678900  java.lang.String (java.base@17)"
      String[] fields = line.trim().split("\\s+");
      if (fields.length >= 4 && fields[0].endsWith(":")) {
        classes.put(fields[3], new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2])});
      }
    }
    return classes;
  }

  /** The classes whose bytes grew most from {@code before} to {@code after}, one per line. */
  static String growth(Map<String, long[]> before, Map<String, long[]> after, int limit) {
    return after.entrySet().stream()
        .map(e -> {
          long[] was = before.getOrDefault(e.getKey(), new long[2]);
          return Map.entry(e.getKey(), new long[] {e.getValue()[0] - was[0], e.getValue()[1] - was[1]});
        })
        .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
        .limit(limit)
        .map(e -> String.format(Locale.ROOT, "%+,12d B %+,9d  %s", e.getValue()[1], e.getValue()[0], e.getKey()))
        .collect(Collectors.joining("\n"));
  }

  static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  @Override
  public void close() {
    server.close();
  }
}
