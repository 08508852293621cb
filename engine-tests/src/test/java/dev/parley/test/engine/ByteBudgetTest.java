package dev.parley.test.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.protocol.Refusal;
import dev.parley.spi.Inbound;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.Timeouts;
import dev.parley.test.engine.ProbeTransport.Probe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The engine's budgets in bytes: what one connection, and all of a node's connections together, may hold queued
 * for clients and read from them but not yet handled; the rate limit over a whole connection; the handshake
 * a channel keeps. Each test provokes the bound with a small configured budget and checks the defined answer,
 * that other clients are unaffected, and that the node's counts come back to zero.
 */
class ByteBudgetTest {
  private static final String KB_20 = "x".repeat(20_000);
  private static final String KB_30 = "x".repeat(30_000);

  private final ProbeTransport transport = new ProbeTransport();
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
  private ChatServer server;

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.close();
    }
    time.dispose();
  }

  // ---- outbound ----

  @Test
  void aClientThatDoesNotReadIsCutOffOnceItsQueuedBytesExceedTheBound() throws Exception {
    start(c -> c.outboundBufferBytes(64 * 1024));
    Probe slow = connected();
    Probe reader = connected();
    slow.reading = false;

    for (int i = 0; i < 10; i++) {
      channel(slow).emit("big", KB_20);
      channel(reader).emit("big", KB_20);
    }

    // 1,024 packets would fit: the bytes are what cut it off, after about three of them.
    assertThat(slow.closed.get(5, TimeUnit.SECONDS)).isEqualTo(DisconnectReason.SLOW_CONSUMER);
    for (int i = 0; i < 10; i++) {
      assertThat(((Packet.Event) reader.nextPacket(5)).args().get(0).stringValue()).hasSize(20_000);
    }
    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().queuedBytes() == 0);
  }

  @Test
  void overTheNodeBudgetTheClientsThatDoNotReadAreCutOffAndTheOthersServed() throws Exception {
    start(c -> c.outboundBufferBytes(64 * 1024).nodeOutboundBytes(100 * 1024));
    Probe first = connected();
    Probe second = connected();
    Probe reader = connected();
    first.reading = false;
    second.reading = false;

    // Each holds 60 KB, under its own bound; together they are over the node's.
    channel(first).emit("big", KB_30);
    assertThat(first.nextPacket(5)).isInstanceOf(Packet.Event.class);
    channel(first).emit("big", KB_30);
    channel(second).emit("big", KB_30);
    assertThat(second.nextPacket(5)).isInstanceOf(Packet.Event.class);
    channel(second).emit("big", KB_30);

    // Which of the two is found not reading first depends on the flush threads; one of them must go, as a slow
    // consumer, and the client that reads is served.
    DisconnectReason cut = (DisconnectReason) CompletableFuture.anyOf(first.closed, second.closed)
        .get(5, TimeUnit.SECONDS);
    assertThat(cut).isEqualTo(DisconnectReason.SLOW_CONSUMER);
    channel(reader).emit("big", KB_30);
    assertThat(((Packet.Event) reader.nextPacket(5)).name()).isEqualTo("big");
    assertThat(reader.closed).isNotDone();
    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().queuedBytes() <= 100 * 1024);
  }

  @Test
  void controlFramesCountAgainstTheSameBound() throws Exception {
    start(c -> c.outboundBufferBytes(64 * 1024));
    Probe slow = connected();
    slow.reading = false;

    int accepted = 0;
    while (slow.session.sendControl("3" + KB_20)) {
      accepted++;
      assertThat(accepted).as("control frames accepted").isLessThan(10);
    }

    assertThat(slow.closed.get(5, TimeUnit.SECONDS)).isEqualTo(DisconnectReason.SLOW_CONSUMER);
    assertThat(slow.written).first().isEqualTo(new Packet.Control("3" + KB_20));
    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().queuedBytes() == 0);
  }

  @Test
  void anErrorWhileWritingEndsThatConnectionAndNoOther() throws Exception {
    start(c -> { });
    Probe failing = connected();
    Probe other = connected();
    failing.failWith = new OutOfMemoryError("provoked by the test");

    channel(failing).emit("hello", "you");
    channel(other).emit("hello", "you");

    assertThat(failing.closed.get(5, TimeUnit.SECONDS)).isEqualTo(DisconnectReason.TRANSPORT_ERROR);
    assertThat(((Packet.Event) other.nextPacket(5)).name()).isEqualTo("hello");
    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().sessions() == 1);
  }

  // ---- inbound ----

  @Test
  void aFrameThatAloneIsOverTheConnectionsInboundBudgetIsTooLarge() throws Exception {
    start(c -> c.maxInboundBytes(4096));
    Probe probe = connected();

    Inbound frame = probe.session.admit("/", false, 7L, 5000);

    assertThat(frame.refusal()).isEqualTo(Inbound.Refusal.TOO_LARGE);
    assertThat(server.stats().inboundBytes()).isZero();
  }

  @Test
  void framesBeyondTheConnectionsInboundBudgetAreAnsweredServerBusyUntilTheHandlersCatchUp() throws Exception {
    start(c -> c.maxInboundBytes(8192));
    Probe probe = connected();

    Inbound one = probe.session.admit("/", false, 1L, 3000);
    probe.session.receive(event("block", 1L), one);
    Inbound two = probe.session.admit("/", false, 2L, 3000);
    probe.session.receive(event("block", 2L), two);
    Inbound three = probe.session.admit("/", false, 3L, 3000);

    assertThat(one.admitted()).isTrue();
    assertThat(two.admitted()).isTrue();
    assertThat(three.refusal()).isEqualTo(Inbound.Refusal.BUSY);
    assertThat(probe.nextPacket(5)).isEqualTo(new Packet.Ack("/", 3L, List.of(error("server busy"))));
    assertThat(server.stats().inboundBytes()).isEqualTo(6000);
    assertThat(server.stats().busyEvents()).isEqualTo(1);

    release.countDown();
    assertThat(List.of(probe.nextPacket(5), probe.nextPacket(5))).containsExactly(
        new Packet.Ack("/", 1L, List.of(JsonNodeFactory.instance.stringNode("done"))),
        new Packet.Ack("/", 2L, List.of(JsonNodeFactory.instance.stringNode("done"))));
    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().inboundBytes() == 0);
    assertThat(probe.session.admit("/", false, 4L, 3000).admitted()).isTrue();
  }

  @Test
  void theNodesInboundBudgetIsSharedByEveryConnection() throws Exception {
    start(c -> c.maxInboundBytes(8192).nodeInboundBytes(8192));
    Probe first = connected();
    Probe second = connected();

    first.session.receive(event("block", 1L), first.session.admit("/", false, 1L, 6000));
    Inbound refused = second.session.admit("/", false, 1L, 3000);

    assertThat(refused.refusal()).isEqualTo(Inbound.Refusal.BUSY);
    assertThat(second.nextPacket(5)).isEqualTo(new Packet.Ack("/", 1L, List.of(error("server busy"))));
    assertThat(second.closed).isNotDone();
  }

  @Test
  void framesOfASessionThatEndsAreGivenBack() throws Exception {
    start(c -> { });
    Probe probe = connected();
    probe.session.receive(event("block", 1L), probe.session.admit("/", false, 1L, 6000));
    Inbound partial = probe.session.admit("/", false, null, 1000);
    assertThat(partial.grow(500)).isTrue();
    assertThat(server.stats().inboundBytes()).isEqualTo(7500);

    probe.session.closed(DisconnectReason.TRANSPORT_CLOSE);
    release.countDown();
    partial.cancel();

    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().isIdle());
  }

  @Test
  void attachmentsThatOutgrowTheBudgetCancelTheirFrame() throws Exception {
    start(c -> c.maxInboundBytes(8192));
    Probe probe = connected();
    Inbound frame = probe.session.admit("/", false, null, 1000);

    assertThat(frame.grow(4000)).isTrue();
    assertThat(frame.grow(4000)).isFalse();

    assertThat(server.stats().inboundBytes()).isZero();
  }

  // ---- the rate limit and the handshake ----

  @Test
  void connectsCountAgainstTheConnectionsRateLimit() throws Exception {
    start(c -> c.maxEventsPerSecond(1).maxEventBurst(3));
    Probe probe = transport.open();
    Inbound connect = probe.session.admit("/", true, null, 10);
    probe.session.receive(new Packet.Connect("/", null), connect);
    assertThat(probe.nextPacket(5)).isInstanceOf(Packet.Connect.class);

    // Leaving and joining again buys nothing: the CONNECT takes from the same budget as events.
    probe.session.receive(new Packet.Disconnect("/"), probe.session.admit("/", false, null, 10));
    assertThat(probe.session.admit("/", true, null, 10).admitted()).isTrue();
    Inbound refused = probe.session.admit("/", true, null, 10);

    assertThat(refused.refusal()).isEqualTo(Inbound.Refusal.RATE_LIMITED);
    assertThat(probe.nextPacket(5)).isEqualTo(new Packet.ConnectError("/", Refusal.LIMIT, "rate limited", null));
    assertThat(probe.session.admit("/", false, null, 10).refusal()).isEqualTo(Inbound.Refusal.RATE_LIMITED);
    assertThat(server.stats().rateLimitedEvents()).isEqualTo(2);
  }

  @Test
  void leavingAndJoiningAgainTheMomentItIsAnsweredGetsEveryAnswer() throws Exception {
    start(c -> { });
    Probe probe = transport.open();

    for (int i = 0; i < 200; i++) {
      probe.session.receive(new Packet.Connect("/", null));
      assertThat(probe.nextPacket(5)).as("answer %d", i).isInstanceOf(Packet.Connect.class);
      probe.session.receive(new Packet.Disconnect("/"));
    }
  }

  @Test
  void aSessionThatEndedAdmitsNothingAndItsFramesGrowNoMore() throws Exception {
    start(c -> { });
    Probe probe = connected();
    Inbound partial = probe.session.admit("/", false, null, 1000);

    probe.session.closed(DisconnectReason.TRANSPORT_CLOSE);

    assertThat(partial.grow(10)).isFalse();
    assertThat(probe.session.admit("/", false, null, 10).admitted()).isFalse();
    assertThat(server.stats().inboundBytes()).isZero();
  }

  @Test
  void aRefusedConnectToANamespaceThatDoesNotExistEchoesNothing() throws Exception {
    start(c -> c.maxEventsPerSecond(1).maxEventBurst(1));
    Probe probe = connected();

    assertThat(probe.session.admit("/" + "n".repeat(100), true, null, 10).refusal())
        .isEqualTo(Inbound.Refusal.RATE_LIMITED);

    probe.session.sendControl("marker");
    assertThat(probe.next(5)).isEqualTo(new Packet.Control("marker"));
  }

  @Test
  void anAuthPayloadOverMaxAuthBytesIsRefusedWithAConnectError() throws Exception {
    start(c -> c.maxAuthBytes(256));
    Probe probe = transport.open();

    probe.session.receive(new Packet.Connect("/", JsonNodeFactory.instance.objectNode().put("token", "t".repeat(300))));

    assertThat(probe.nextPacket(5)).isEqualTo(new Packet.ConnectError("/", Refusal.LIMIT, "auth payload too large", null));
    probe.session.receive(new Packet.Connect("/", JsonNodeFactory.instance.objectNode().put("token", "t".repeat(100))));
    assertThat(probe.nextPacket(5)).isInstanceOf(Packet.Connect.class);
  }

  @Test
  void aConnectToAMalformedNamespaceClosesTheConnectionAndEchoesNothing() throws Exception {
    start(c -> { });
    Probe probe = transport.open();

    probe.session.receive(new Packet.Connect("/" + "n".repeat(10_000), null));

    assertThat(probe.closed.get(5, TimeUnit.SECONDS)).isEqualTo(DisconnectReason.PARSE_ERROR);
    assertThat(probe.written).isEmpty();
    // A well-formed name that is not a namespace is still answered with its name, as Socket.IO does.
    Probe other = transport.open();
    other.session.receive(new Packet.Connect("/nope", null));
    assertThat(other.nextPacket(5)).isEqualTo(new Packet.ConnectError("/nope", Refusal.INVALID_NAMESPACE, "Invalid namespace", null));
  }

  // ---- set-up ----

  private void start(Consumer<ChatServerConfig.Builder> config) {
    // A client that never reads would hold close() for the whole default shutdown timeout.
    Consumer<ChatServerConfig.Builder> quickClose = c -> c.shutdownTimeout(Duration.ofMillis(500));
    server = ChatServer.builder().transport(transport).store(new MemoryStore()).scheduler(time)
        .config(quickClose.andThen(config))
        .onConnection(channel -> {
          channels.put(channel.id(), channel);
          channel.on("block", (ch, event) -> {
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            event.ack("done");
          });
        })
        .start();
  }

  private Probe connected() throws InterruptedException {
    return transport.connected(channels);
  }

  private Channel channel(Probe probe) {
    return channels.get(probe.sid);
  }

  private static Packet.Event event(String name, Long ackId) {
    return new Packet.Event("/", name, List.of(), ackId, null);
  }

  private static JsonNode error(String message) {
    return JsonNodeFactory.instance.objectNode().put("error", message);
  }
}
