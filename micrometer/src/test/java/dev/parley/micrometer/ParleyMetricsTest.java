package dev.parley.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.Replay;
import dev.parley.client.ClientReply;
import dev.parley.client.ParleyClient;
import dev.parley.error.AckTimeoutException;
import dev.parley.store.memory.MemoryStore;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ParleyMetrics} on a real server (memory store, WebSocket transport, embedded Jetty on 127.0.0.1) with
 * real clients (the Java client): the meters move as clients connect, send, are acked and leave.
 */
class ParleyMetricsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<ParleyClient> clients = new ArrayList<>();
  private ChatServer server;
  private ParleyMetrics metrics;

  @AfterEach
  void stop() {
    clients.forEach(ParleyClient::close);
    if (metrics != null) {
      metrics.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void metersFollowClientsThatConnectSendAreAckedAndLeave() {
    start(c -> { });
    // Gauges read a fresh snapshot each time here; the once-a-second cache has its own test.
    metrics = new ParleyMetrics(server, Tags.of("node", "a"), Duration.ZERO);
    metrics.bindTo(registry);

    ParleyClient alice = connect(ParleyClient.builder(url()).on("ask", event -> event.ack("yes")));
    ParleyClient bob = connect(ParleyClient.builder(url()));
    assertThat(counter("parley.connections.opened", "transport", "websocket")).isEqualTo(2);
    assertThat(gauge("parley.sessions", "transport", "websocket")).isEqualTo(2);
    assertThat(gauge("parley.sessions", "transport", "sse")).isZero();
    assertThat(gauge("parley.channels")).isEqualTo(2);
    // Each channel's own room, and the lobby.
    assertThat(gauge("parley.rooms")).isEqualTo(3);
    assertThat(gauge("parley.room.memberships")).isEqualTo(4);

    alice.emitWithAck("echo", "hi").block(WAIT);
    assertThat(alice.emitWithAck("shout", "to all").block(WAIT).arg(0, String.class)).isEqualTo("shouted");
    assertThat(counter("parley.events.received", "namespace", "/")).isEqualTo(2);
    assertThat(counter("parley.events.sent", "namespace", "/")).isEqualTo(1);
    assertThat(counter("parley.deliveries", "namespace", "/")).isEqualTo(2);

    Channel aliceChannel = channel(alice);
    assertThat(aliceChannel.emitWithAck("ask").block(WAIT).arg(0, String.class)).isEqualTo("yes");
    Channel bobChannel = channel(bob);
    assertThatThrownBy(() -> bobChannel.emitWithAck(Duration.ofMillis(100), "unanswered").block(WAIT))
        .isInstanceOf(AckTimeoutException.class);
    await().atMost(WAIT).until(() -> timer("parley.acks.round.trip", "timeout").count() == 1);
    assertThat(timer("parley.acks.round.trip", "answered").count()).isEqualTo(1);
    assertThat(timer("parley.acks.round.trip", "timeout").totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(100);
    assertThat(counter("parley.events.sent", "namespace", "/")).isEqualTo(3);

    String id = alice.emitWithAck("post", "hello").block(WAIT).arg(0, String.class);
    assertThat(id).isNotEmpty();
    await().atMost(WAIT).until(() -> timer("parley.store.append", "success").count() == 1);
    assertThat(timer("parley.store.append", "failure").count()).isZero();
    bobChannel.join("history", Replay.last(10)).block(WAIT);
    await().atMost(WAIT).until(() -> registry.get("parley.replay.messages").summary().count() == 1);
    // Alice's post, replayed to Bob.
    assertThat(registry.get("parley.replay.messages").summary().totalAmount()).isEqualTo(1);

    alice.close();
    bob.close();
    await().atMost(WAIT).until(() -> closedConnections() == 2);
    assertThat(closedByReason()).containsOnlyKeys("transport close").containsEntry("transport close", 2.0);
    await().atMost(WAIT).until(() -> gauge("parley.sessions", "transport", "websocket") == 0
        && gauge("parley.channels") == 0 && gauge("parley.rooms") == 0 && gauge("parley.acks.pending") == 0);
    assertThat(registry.get("parley.channels").gauge().getId().getTag("node")).isEqualTo("a");
  }

  @Test
  void refusedEventsAreCountedByCause() {
    // The CONNECT takes one of the two: the second event is one too many.
    start(c -> c.maxEventsPerSecond(1).maxEventBurst(2));
    metrics = new ParleyMetrics(server);
    metrics.bindTo(registry);
    ParleyClient client = connect(ParleyClient.builder(url()));

    client.emitWithAck("echo", 1).block(WAIT);
    ClientReply refused = client.emitWithAck("echo", 2).block(WAIT);

    assertThat(refused.args().toString()).isEqualTo("[{\"error\":\"rate limited\"}]");
    assertThat(registry.get("parley.events.refused").tag("namespace", "/").tag("cause", "rate limited")
        .counter().count()).isEqualTo(1);
    assertThat(counter("parley.events.received", "namespace", "/")).isEqualTo(1);
  }

  @Test
  void theNamespaceTagTakesAtMost32NamesAndOther() {
    start(c -> { });
    metrics = new ParleyMetrics(server);
    metrics.bindTo(registry);

    for (int i = 0; i < 40; i++) {
      server.namespace("/room-" + i).emit("hello");
    }

    Map<String, Double> sent = registry.find("parley.events.sent").counters().stream()
        .collect(Collectors.toMap(c -> c.getId().getTag("namespace"), Counter::count));
    assertThat(sent).hasSize(ParleyMetrics.MAX_NAMESPACES + 1).containsEntry("other", 8.0)
        .containsEntry("/room-0", 1.0).containsEntry("/room-31", 1.0).doesNotContainKey("/room-32");
    assertThat(registry.find("parley.deliveries").counters()).hasSize(ParleyMetrics.MAX_NAMESPACES + 1);
  }

  @Test
  void closeStopsCountingAndRemovesTheMeters() {
    start(c -> { });
    metrics = new ParleyMetrics(server);
    metrics.bindTo(registry);
    ParleyMetrics other = new ParleyMetrics(server);
    SimpleMeterRegistry otherRegistry = new SimpleMeterRegistry();
    other.bindTo(otherRegistry);
    ParleyClient client = connect(ParleyClient.builder(url()));
    assertThat(registry.getMeters()).isNotEmpty();

    metrics.close();
    metrics.close();
    client.emitWithAck("shout", "after").block(WAIT);
    server.emit("after");

    assertThat(registry.getMeters()).isEmpty();
    assertThatThrownBy(() -> metrics.bindTo(registry)).isInstanceOf(IllegalStateException.class)
        .hasMessage("ParleyMetrics is closed");
    // Another binder on the same server is not affected.
    assertThat(otherRegistry.get("parley.events.sent").tag("namespace", "/").counter().count()).isEqualTo(2);
    other.close();
    assertThat(otherRegistry.getMeters()).isEmpty();
  }

  @Test
  void aScrapeOfEveryGaugeTakesOneSnapshot() {
    start(c -> { });
    AtomicInteger snapshots = new AtomicInteger();
    // Half a second instead of the default second, to keep the test short.
    metrics = new ParleyMetrics(countingStats(server, snapshots), Tags.empty(), Duration.ofMillis(500));
    metrics.bindTo(registry);

    scrapeGauges();
    scrapeGauges();
    assertThat(snapshots).hasValue(1);

    // A client that connects shows once the snapshot is older than that, in a new one.
    connect(ParleyClient.builder(url()));
    await().atMost(WAIT).until(() -> gauge("parley.channels") == 1);
    assertThat(snapshots.get()).isGreaterThan(1);
  }

  // ---- fixtures ----

  private void start(Consumer<ChatServerConfig.Builder> config) {
    server = ChatServer.builder()
        .transport(new WebSocketTransport(WebSocketTransportConfig.defaults()))
        .store(new MemoryStore())
        .config(c -> {
          c.bindAddress("127.0.0.1").port(0).shutdownTimeout(Duration.ofSeconds(2));
          config.accept(c);
        })
        .onConnection(channel -> {
          channel.join("lobby");
          channel.on("echo", (ch, event) -> event.ack(event.args().toArray()));
          channel.on("shout", (ch, event) -> {
            ch.namespace().to("lobby").emit("broadcast", event.arg(0));
            event.ack("shouted");
          });
          channel.on("post", (ch, event) -> ch.post("history", "chat", event.arg(0))
              .subscribe(message -> event.ack(message.id())));
        })
        .start();
  }

  private URI url() {
    return URI.create("http://127.0.0.1:" + server.address().orElseThrow().getPort());
  }

  private ParleyClient connect(ParleyClient.Builder builder) {
    ParleyClient client = builder.connect();
    clients.add(client);
    return client;
  }

  private Channel channel(ParleyClient client) {
    return server.namespace().channel(client.id()).orElseThrow();
  }

  private double counter(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).counter().count();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  private double gauge(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).gauge().value();
  }

  private Timer timer(String name, String outcome) {
    return registry.get(name).tag("outcome", outcome).timer();
  }

  private double closedConnections() {
    return registry.find("parley.connections.closed").counters().stream().mapToDouble(Counter::count).sum();
  }

  private Map<String, Double> closedByReason() {
    return registry.find("parley.connections.closed").counters().stream()
        .collect(Collectors.toMap(c -> c.getId().getTag("reason"), Counter::count));
  }

  private void scrapeGauges() {
    for (Meter meter : registry.getMeters()) {
      if (meter instanceof Gauge gauge) {
        gauge.value();
      }
    }
  }

  /** The server, counting the calls to {@link ChatServer#stats()}. */
  private static ChatServer countingStats(ChatServer server, AtomicInteger calls) {
    return (ChatServer) Proxy.newProxyInstance(ChatServer.class.getClassLoader(), new Class<?>[] {ChatServer.class},
        (proxy, method, args) -> {
          if (method.getName().equals("stats")) {
            calls.incrementAndGet();
          }
          try {
            return method.invoke(server, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
