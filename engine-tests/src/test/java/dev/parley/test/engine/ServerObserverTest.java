package dev.parley.test.engine;

import static dev.parley.test.engine.EngineFixtures.serverOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.Replay;
import dev.parley.ServerObserver;
import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.spi.Connection;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Inbound;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Session;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportContext;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.ConnectedChannels;
import dev.parley.test.InProcessTransport;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import dev.parley.test.engine.ProbeTransport.Probe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * {@link ServerObserver}: each event reaches a registered observer with the right arguments, from real
 * clients doing real things; a disposed observer hears nothing more; one that throws breaks nothing.
 */
class ServerObserverTest {
  private final InProcessTransport transport = new InProcessTransport();
  private final ConnectedChannels channels = new ConnectedChannels();
  private final Recorder recorder = new Recorder();
  private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
  private ChatServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    time.dispose();
  }

  // ---- connections ----

  @Test
  void connectionsOpenAndCloseWithTheEnginesReason() {
    start(serverOn(transport).onConnection(channels));

    TestClient leaving = transport.connect("/");
    assertThat(recorder.calls).containsExactly("connectionOpened in-process");
    leaving.close();
    recorder.await("connectionClosed in-process transport close");

    TestClient violating = transport.connect("/");
    // An ack for an id the server never issued: a protocol violation.
    violating.sendRaw(new Packet.Ack("/", 999, List.of()));
    assertThat(violating.awaitDisconnect()).isEqualTo(DisconnectReason.PARSE_ERROR);
    recorder.await("connectionClosed in-process parse error");

    transport.connect("/");
    server.close();
    recorder.await("connectionClosed in-process server shutting down");
    assertThat(recorder.named("connectionOpened")).hasSize(3);
    assertThat(recorder.named("connectionClosed")).hasSize(3);
  }

  @Test
  void aClientThatStopsReadingIsReportedAsASlowConsumer() {
    start(serverOn(transport).config(c -> c.outboundBufferSize(16)).onConnection(channels)
        .onConnection(channel -> channel.join("r")));
    TestClient stalled = transport.connect("/");
    stalled.stall();

    for (int i = 0; i < 100 && stalled.isConnected(); i++) {
      server.to("r").emit("n", i);
    }

    assertThat(stalled.awaitDisconnect()).isEqualTo(DisconnectReason.SLOW_CONSUMER);
    recorder.await("slowConsumerDisconnected in-process");
    assertThat(recorder.named("slowConsumerDisconnected")).hasSize(1);
    assertThat(recorder.named("connectionClosed")).containsExactly("connectionClosed in-process slow consumer");
  }

  // ---- events ----

  @Test
  void eventsInAndOutAreReportedWithTheirNamespaceAndDeliveries() {
    start(serverOn(transport).onConnection(channels)
        .onConnection(channel -> channel.on("hello", (ch, event) -> event.ack("hi")))
        .namespace("/chat", ns -> ns.onConnection(channels)));
    TestClient first = transport.connect("/");
    TestClient second = transport.connect("/");
    TestClient chatter = transport.connect("/chat");
    channels.of(first).join("r").block(Timeouts.EXPECTED);
    channels.of(second).join("r").block(Timeouts.EXPECTED);

    first.emitWithAck("hello").block(Timeouts.EXPECTED);
    server.to("r").emit("news", 1);
    server.to("nobody-here").emit("news", 2);
    channels.of(second).emit("direct", 3);
    server.namespace("/chat").emit("all", 4);
    channels.of(chatter).broadcast().emit("others", 5);

    assertThat(recorder.named("eventReceived")).containsExactly("eventReceived /");
    assertThat(recorder.named("eventSent")).containsExactly(
        "eventSent / 2", "eventSent / 0", "eventSent / 1", "eventSent /chat 1", "eventSent /chat 0");
    assertThat(first.next().name()).isEqualTo("news");
  }

  @Test
  void eventsOverTheRateLimitAreReportedRefused() {
    // The CONNECT takes one of the two: the second event is one too many.
    start(serverOn(transport).scheduler(time).config(c -> c.maxEventsPerSecond(10).maxEventBurst(2))
        .onConnection(channel -> channel.on("echo", (ch, event) -> event.ack(event.arg(0)))));
    TestClient client = transport.connect("/");

    client.emitWithAck("echo", 1).block(Timeouts.EXPECTED);
    List<JsonNode> refused = client.emitWithAck("echo", 2).block(Timeouts.EXPECTED);

    assertThat(refused.toString()).isEqualTo("[{\"error\":\"rate limited\"}]");
    assertThat(recorder.named("eventRefused")).containsExactly("eventRefused / rate limited");
    assertThat(recorder.named("eventReceived")).hasSize(1);
    assertThat(server.stats().rateLimitedEvents()).isEqualTo(1);
  }

  @Test
  void framesOverTheInboundBudgetAreReportedBusyWithoutEchoingAnUnknownNamespace() throws Exception {
    ProbeTransport probes = new ProbeTransport();
    Map<String, Channel> byId = new ConcurrentHashMap<>();
    start(ChatServer.builder().transport(probes).store(new MemoryStore()).config(c -> c.maxInboundBytes(8192))
        .onConnection(channel -> byId.put(channel.id(), channel)));
    Probe probe = probes.connected(byId);

    Inbound held = probe.session.admit("/", false, null, 5000);
    Inbound busy = probe.session.admit("/", false, null, 5000);
    Inbound elsewhere = probe.session.admit("/made-up-by-the-client", false, null, 5000);

    assertThat(held.admitted()).isTrue();
    assertThat(busy.refusal()).isEqualTo(Inbound.Refusal.BUSY);
    assertThat(elsewhere.refusal()).isEqualTo(Inbound.Refusal.BUSY);
    assertThat(recorder.named("eventRefused")).containsExactly(
        "eventRefused / server busy", "eventRefused  server busy");
    assertThat(server.stats().busyEvents()).isEqualTo(2);
    held.cancel();
  }

  // ---- acks ----

  @Test
  void ackRoundTripsAreTimedAnsweredOrTimedOut() {
    start(serverOn(transport).onConnection(channels));
    TestClient client = transport.connect("/").respond("ask", args -> new Object[] {"yes"});
    Channel channel = channels.of(client);

    channel.emitWithAck("ask").block(Timeouts.EXPECTED);
    assertThatThrownBy(() -> channel.emitWithAck(Duration.ofMillis(100), "unanswered").block(Timeouts.EXPECTED))
        .isInstanceOf(AckTimeoutException.class);

    await().atMost(Timeouts.EXPECTED).until(() -> recorder.acks.size() == 2);
    assertThat(recorder.acks.get(0).ok()).isTrue();
    assertThat(recorder.acks.get(0).nanos()).isPositive();
    assertThat(recorder.acks.get(1).ok()).isFalse();
    assertThat(recorder.acks.get(1).nanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(recorder.named("eventSent")).containsExactly("eventSent / 1", "eventSent / 1");
    assertThat(client.next().name()).isEqualTo("unanswered");
  }

  @Test
  void anAckFailedByADisconnectIsNoRoundTrip() {
    start(serverOn(transport).onConnection(channels));
    TestClient client = transport.connect("/");
    Channel channel = channels.of(client);
    Mono<?> pending = channel.emitWithAck("unanswered");

    client.drop();

    assertThatThrownBy(() -> pending.block(Timeouts.EXPECTED)).isInstanceOf(ChannelClosedException.class);
    assertThat(recorder.acks).isEmpty();
  }

  // ---- posts, replays, recovery ----

  @Test
  void appendsAndReplaysAreReported() {
    start(serverOn(transport).onConnection(channels));
    for (int i = 0; i < 3; i++) {
      server.room("r").post("chat", i).block(Timeouts.EXPECTED);
    }
    // Reported as the store answers, which may be just after the post's caller has its message.
    await().atMost(Timeouts.EXPECTED).until(() -> recorder.appends.size() == 3);
    assertThat(recorder.appends).allSatisfy(append -> {
      assertThat(append.ok()).isTrue();
      assertThat(append.nanos()).isPositive();
    });

    TestClient client = transport.connect("/");
    Channel channel = channels.of(client);
    channel.join("r", Replay.last(10)).block(Timeouts.EXPECTED);
    channel.join("empty", Replay.last(10)).block(Timeouts.EXPECTED);

    await().atMost(Timeouts.EXPECTED).until(() -> recorder.named("replayed").size() == 2);
    assertThat(recorder.named("replayed")).containsExactlyInAnyOrder("replayed 3", "replayed 0");
    assertThat(client.next(3)).hasSize(3);
  }

  @Test
  void recoveryAttemptsAreReportedAsTheySucceedOrFail() {
    RecoverableTransport recoverable = new RecoverableTransport();
    start(ChatServer.builder().transport(recoverable).store(new MemoryStore()));
    Link first = recoverable.open();
    Packet.Connect answer = first.connect(null);
    String pid = answer.data().get("pid").stringValue();
    assertThat(recorder.named("recovered")).isEmpty();

    first.session.closed(DisconnectReason.TRANSPORT_CLOSE);
    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().recoverySaves() == 0);
    Packet.Connect back = recoverable.open().connect(JsonNodeFactory.instance.objectNode().put("pid", pid));
    recoverable.open().connect(JsonNodeFactory.instance.objectNode().put("pid", "no-such-session"));

    assertThat(back.data().get("sid").stringValue()).isEqualTo(answer.data().get("sid").stringValue());
    recorder.await("recovered false");
    assertThat(recorder.named("recovered")).containsExactly("recovered true", "recovered false");
  }

  // ---- registration ----

  @Test
  void aDisposedObserverHearsNothingMoreWhileOthersStillDo() {
    server = serverOn(transport).onConnection(channels).start();
    Recorder kept = new Recorder();
    Disposable registration = server.observe(recorder);
    server.observe(kept);
    transport.connect("/");

    registration.dispose();
    registration.dispose();
    transport.connect("/").emit("anything");
    server.emit("everyone");

    assertThat(registration.isDisposed()).isTrue();
    assertThat(recorder.calls).containsExactly("connectionOpened in-process");
    await().atMost(Timeouts.EXPECTED).until(() -> kept.named("eventReceived").size() == 1);
    assertThat(kept.calls).containsExactly("connectionOpened in-process", "connectionOpened in-process",
        "eventReceived /", "eventSent / 2");
  }

  @Test
  void anObserverThatThrowsBreaksNothing() {
    server = serverOn(transport).onConnection(channels)
        .onConnection(channel -> channel.on("echo", (ch, event) -> event.ack(event.arg(0))))
        .start();
    server.observe(new Thrower());
    server.observe(recorder);

    TestClient client = transport.connect("/").respond("ask", args -> new Object[] {"yes"});
    Channel channel = channels.of(client);
    assertThat(client.emitWithAck("echo", "ok").block(Timeouts.EXPECTED).toString()).isEqualTo("[\"ok\"]");
    assertThat(channel.emitWithAck("ask").block(Timeouts.EXPECTED).arg(0, String.class)).isEqualTo("yes");
    channel.join("r", Replay.last(5)).block(Timeouts.EXPECTED);
    server.room("r").post("chat", "posted").block(Timeouts.EXPECTED);
    assertThat(client.next().arg(0).asString()).isEqualTo("posted");
    client.close();

    recorder.await("connectionClosed in-process transport close");
    assertThat(recorder.calls).contains("connectionOpened in-process", "eventReceived /", "eventSent / 1",
        "replayed 0");
    assertThat(recorder.acks).hasSize(1);
    await().atMost(Timeouts.EXPECTED).until(() -> recorder.appends.size() == 1);
    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().isIdle());
  }

  // ---- fixtures ----

  private void start(ChatServer.Builder builder) {
    server = builder.build();
    server.observe(recorder);
    server.start();
  }

  /** Every call, as "method arguments", in order; the timings apart. */
  private static final class Recorder implements ServerObserver {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<Timed> acks = new CopyOnWriteArrayList<>();
    final List<Timed> appends = new CopyOnWriteArrayList<>();

    @Override
    public void connectionOpened(String transport) {
      calls.add("connectionOpened " + transport);
    }

    @Override
    public void connectionClosed(String transport, String reason) {
      calls.add("connectionClosed " + transport + " " + reason);
    }

    @Override
    public void eventReceived(String namespace) {
      calls.add("eventReceived " + namespace);
    }

    @Override
    public void eventSent(String namespace, int deliveries) {
      calls.add("eventSent " + namespace + " " + deliveries);
    }

    @Override
    public void slowConsumerDisconnected(String transport) {
      calls.add("slowConsumerDisconnected " + transport);
    }

    @Override
    public void eventRefused(String namespace, String cause) {
      calls.add("eventRefused " + namespace + " " + cause);
    }

    @Override
    public void recovered(boolean success) {
      calls.add("recovered " + success);
    }

    @Override
    public void replayed(int messages) {
      calls.add("replayed " + messages);
    }

    @Override
    public void storeAppend(long nanos, boolean success) {
      appends.add(new Timed(nanos, success));
    }

    @Override
    public void ackRoundTrip(long nanos, boolean answered) {
      acks.add(new Timed(nanos, answered));
    }

    List<String> named(String method) {
      return calls.stream().filter(call -> call.startsWith(method + " ")).toList();
    }

    void await(String call) {
      org.awaitility.Awaitility.await().atMost(Timeouts.EXPECTED).until(() -> calls.contains(call));
    }
  }

  /** A timed call: its duration, and whether it was answered (an ack) or succeeded (an append). */
  private record Timed(long nanos, boolean ok) {
  }

  /** Throws from every call. */
  private static final class Thrower implements ServerObserver {
    @Override
    public void connectionOpened(String transport) {
      throw new IllegalStateException("connectionOpened");
    }

    @Override
    public void connectionClosed(String transport, String reason) {
      throw new IllegalStateException("connectionClosed");
    }

    @Override
    public void eventReceived(String namespace) {
      throw new IllegalStateException("eventReceived");
    }

    @Override
    public void eventSent(String namespace, int deliveries) {
      throw new IllegalStateException("eventSent");
    }

    @Override
    public void slowConsumerDisconnected(String transport) {
      throw new IllegalStateException("slowConsumerDisconnected");
    }

    @Override
    public void eventRefused(String namespace, String cause) {
      throw new IllegalStateException("eventRefused");
    }

    @Override
    public void recovered(boolean success) {
      throw new IllegalStateException("recovered");
    }

    @Override
    public void replayed(int messages) {
      throw new AssertionError("replayed");
    }

    @Override
    public void storeAppend(long nanos, boolean success) {
      throw new IllegalStateException("storeAppend");
    }

    @Override
    public void ackRoundTrip(long nanos, boolean answered) {
      throw new IllegalStateException("ackRoundTrip");
    }
  }

  /**
   * A transport whose connections can be recovered, as Socket.IO clients 4.6+ can (the in-process one cannot):
   * the test plays the client with raw packets.
   */
  private static final class RecoverableTransport implements Transport {
    private volatile @Nullable TransportContext context;

    @Override
    public String name() {
      return "recoverable";
    }

    @Override
    public boolean requiresHost() {
      return false;
    }

    @Override
    public Mono<Void> start(TransportContext context) {
      this.context = context;
      return Mono.empty();
    }

    @Override
    public Mono<Void> stop() {
      context = null;
      return Mono.empty();
    }

    Link open() {
      TransportContext current = context;
      if (current == null) {
        throw new IllegalStateException("not started");
      }
      Link link = new Link();
      link.session = current.open(link, ConnectionInfo.of(name(), "127.0.0.1:0"));
      return link;
    }
  }

  /** One recoverable connection: what the engine wrote to it. */
  private static final class Link implements Connection {
    final BlockingQueue<Packet> written = new LinkedBlockingQueue<>();
    volatile Session session;

    @Override
    public boolean recoverable() {
      return true;
    }

    @Override
    public void write(List<Outgoing> batch, WriteCallback done) {
      batch.forEach(packet -> written.add(packet.packet()));
      done.written();
    }

    @Override
    public void close(DisconnectReason reason) {
      session.closed(reason);
    }

    /** Joins the main namespace with {@code data} and returns the server's CONNECT answer. */
    Packet.Connect connect(@Nullable JsonNode data) {
      session.receive(new Packet.Connect("/", data));
      List<Packet> skipped = new ArrayList<>();
      try {
        for (;;) {
          Packet packet = written.poll(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS);
          if (packet == null) {
            throw new AssertionError("no CONNECT answer; written: " + skipped);
          }
          if (packet instanceof Packet.Connect connect) {
            return connect;
          }
          skipped.add(packet);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
