package dev.parley.test.engine;

import static dev.parley.test.engine.EngineFixtures.serverOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Named.named;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.test.ConnectedChannels;
import dev.parley.test.InProcessTransport;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.test.StepVerifier;

/**
 * One channel: its handlers run one at a time in arrival order (with those of its connection's other namespaces),
 * other connections' handlers in parallel;
 * sending is eager; and it disconnects once, with the reason that ended it.
 */
class ChannelTest {

  private final InProcessTransport transport = new InProcessTransport();
  private final ConnectedChannels channels = new ConnectedChannels();
  private ChatServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** The default executor, and a small pool of platform threads. */
  static Stream<Arguments> executors() {
    return Stream.of(
        Arguments.of(named("default executor", (Consumer<ChatServerConfig.Builder>) c -> { })),
        Arguments.of(named("pool of 4 platform threads",
            (Consumer<ChatServerConfig.Builder>) c -> c.virtualThreads(false).handlerThreads(4))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void handlersOfOneChannelRunOneAtATimeInArrivalOrder(Consumer<ChatServerConfig.Builder> config)
      throws InterruptedException {
    int count = 200;
    AtomicInteger active = new AtomicInteger();
    AtomicInteger mostActive = new AtomicInteger();
    List<Integer> order = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(count);
    server = serverOn(transport).config(config).onConnection(channel -> channel.on("n", (ch, event) -> {
      mostActive.accumulateAndGet(active.incrementAndGet(), Math::max);
      order.add(event.arg(0).asInt());
      work();
      active.decrementAndGet();
      done.countDown();
    })).start();
    TestClient client = transport.connect("/");

    for (int i = 0; i < count; i++) {
      client.emit("n", i);
    }

    assertThat(done.await(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS)).as("all handled").isTrue();
    assertThat(mostActive).as("handlers of one channel running at once").hasValue(1);
    assertThat(order).containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("executors")
  void handlersOfDifferentChannelsRunInParallel(Consumer<ChatServerConfig.Builder> config) throws Exception {
    CountDownLatch waiting = new CountDownLatch(1);
    CountDownLatch otherRan = new CountDownLatch(1);
    CompletableFuture<Boolean> sawOther = new CompletableFuture<>();
    server = serverOn(transport).config(config).onConnection(channel -> {
      channel.on("wait", (ch, event) -> {
        waiting.countDown();
        // Would time out if the other channel's handler had to wait for this one.
        sawOther.complete(otherRan.await(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS));
      });
      channel.on("go", (ch, event) -> otherRan.countDown());
    }).start();
    TestClient a = transport.connect("/");
    TestClient b = transport.connect("/");

    a.emit("wait");
    assertThat(waiting.await(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    b.emit("go");

    assertThat(sawOther.get(2 * Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS))
        .as("the other channel's handler ran while this one was blocked").isTrue();
  }

  @Test
  void theClientIsToldItIsConnectedOnlyOnceTheConnectionHandlersHaveRun() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    server = serverOn(transport).onConnection(channel -> {
      // A slow connection handler (a database lookup) that joins a room and registers the event handlers at
      // its end: as on Node, the client must not see itself connected before it is in the room.
      entered.countDown();
      proceed.await(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS);
      channel.join("lobby");
      channel.on("hello", (ch, event) -> event.ack("handled"));
    }).start();
    CompletableFuture<TestClient> connecting = CompletableFuture.supplyAsync(() -> transport.connect("/"));

    assertThat(entered.await(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(connecting).as("connected while its connection handler still ran").isNotDone();
    proceed.countDown();
    TestClient client = connecting.get(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS);
    server.to("lobby").emit("welcome");

    assertThat(client.next().name()).isEqualTo("welcome");
    StepVerifier.create(client.emitWithAck("hello"))
        .assertNext(args -> assertThat(args.get(0).asString()).isEqualTo("handled"))
        .expectComplete()
        .verify(Timeouts.EXPECTED);
  }

  @Test
  void channelIsReachableByItsIdOnceTheClientHasIt() {
    server = serverOn(transport).start();

    // Repeated, as a registration that lags behind the CONNECT answer loses only some of the races.
    for (int i = 0; i < 100; i++) {
      TestClient client = transport.connect("/");
      assertThat(server.namespace().channel(client.id())).as("channel %s", client.id()).isPresent();
      server.to(client.id()).emit("direct", i);
      ReceivedEvent got = client.next();
      assertThat(got.name()).isEqualTo("direct");
      assertThat(got.arg(0).asInt()).isEqualTo(i);
      client.close();
    }
  }

  @Test
  void handlersOfOneEventRunInRegistrationOrder() {
    List<String> ran = new CopyOnWriteArrayList<>();
    server = serverOn(transport).onConnection(channel -> channel
        .on("chat", (ch, event) -> ran.add("first"))
        .on("chat", (ch, event) -> ran.add("second"))
        .on("chat", (ch, event) -> event.ack())).start();
    TestClient client = transport.connect("/");

    StepVerifier.create(client.emitWithAck("chat")).expectNextCount(1).expectComplete().verify(Timeouts.EXPECTED);

    assertThat(ran).containsExactly("first", "second");
  }

  @Test
  void failingHandlerDoesNotStopTheChannel() {
    server = serverOn(transport).onConnection(channel -> channel.on("chat", (ch, event) -> {
      if (event.arg(0).asString().equals("bad")) {
        throw new IllegalStateException("handler failure the test provokes");
      }
      event.ack("ok");
    })).start();
    TestClient client = transport.connect("/");

    client.emit("chat", "bad");

    StepVerifier.create(client.emitWithAck("chat", "good"))
        .assertNext(args -> assertThat(args.get(0).asString()).isEqualTo("ok"))
        .expectComplete()
        .verify(Timeouts.EXPECTED);
    assertThat(client.isConnected()).isTrue();
  }

  @Test
  void emitIsEagerWithoutSubscribe() {
    server = serverOn(transport).onConnection(channels).start();
    TestClient client = transport.connect("/");
    Channel channel = channels.of(client);

    channel.emit("hello", "not subscribed");
    channel.emitWithAck("question", "not subscribed either");

    ReceivedEvent hello = client.next();
    assertThat(hello.name()).isEqualTo("hello");
    assertThat(hello.arg(0).asString()).isEqualTo("not subscribed");
    ReceivedEvent question = client.next();
    assertThat(question.name()).isEqualTo("question");
    assertThat(question.ackId()).isNotNull();
  }

  @Test
  void postIsEagerWithoutSubscribe() {
    server = serverOn(transport).onConnection(channel -> channel.join("lobby")).onConnection(channels).start();
    TestClient client = transport.connect("/");
    channels.of(client);

    server.room("lobby").post("chat", "not subscribed");

    ReceivedEvent got = client.next();
    assertThat(got.name()).isEqualTo("chat");
    assertThat(got.messageId()).isNotNull();
    assertThat(server.room("lobby").history(10).collectList().block(Timeouts.EXPECTED))
        .extracting(m -> m.payload().asString()).containsExactly("not subscribed");
  }

  @Test
  void oneConnectionsHandlersRunOneAtATimeAcrossItsNamespacesWhichItCanLeaveAndJoinAgain() throws Exception {
    CountDownLatch slowStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch quickRan = new CountDownLatch(1);
    List<String> order = new CopyOnWriteArrayList<>();
    List<Channel> joinedB = new CopyOnWriteArrayList<>();
    server = serverOn(transport)
        .onConnection(channel -> {
          channel.on("slow", (ch, event) -> {
            slowStarted.countDown();
            release.await(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS);
            order.add("/ slow");
          });
          channel.on("ping", (ch, event) -> ch.emit("pong", "/"));
        })
        .namespace("/b", namespace -> namespace.onConnection(channel -> {
          joinedB.add(channel);
          channel.on("quick", (ch, event) -> {
            order.add("/b quick");
            quickRan.countDown();
          });
          channel.on("ping", (ch, event) -> ch.emit("pong", "/b"));
        }))
        .start();
    TestClient client = transport.connect("/");
    client.sendRaw(new Packet.Connect("/b", null));
    await().atMost(Timeouts.EXPECTED).until(() -> joinedB.size() == 1);

    client.emit("slow");
    assertThat(slowStarted.await(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    client.sendRaw(new Packet.Event("/b", "quick", List.of(), null, null, false));
    // As on Node: the connection's other namespace waits for the handler that is running.
    assertThat(quickRan.await(200, TimeUnit.MILLISECONDS)).isFalse();
    release.countDown();
    assertThat(quickRan.await(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(order).containsExactly("/ slow", "/b quick");

    // Leaving /b keeps / (the session's channels go from two to one), and joining again makes a new channel.
    client.sendRaw(new Packet.Disconnect("/b"));
    await().atMost(Timeouts.EXPECTED).until(() -> !joinedB.get(0).connected());
    client.emit("ping");
    assertThat(client.next().args().get(0).asString()).isEqualTo("/");
    client.sendRaw(new Packet.Connect("/b", null));
    await().atMost(Timeouts.EXPECTED).until(() -> joinedB.size() == 2);
    assertThat(joinedB.get(1).id()).isNotEqualTo(joinedB.get(0).id());
    client.sendRaw(new Packet.Event("/b", "ping", List.of(), null, null, false));
    assertThat(client.next().args().get(0).asString()).isEqualTo("/b");
    client.emit("ping");
    assertThat(client.next().args().get(0).asString()).isEqualTo("/");
  }

  @Test
  void clientLeavingIsClientNamespaceDisconnect() {
    Fixture f = connectOne();

    f.client.close();

    f.assertDisconnectedOnce(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
  }

  @Test
  void droppedConnectionIsTransportClose() {
    Fixture f = connectOne();

    f.client.drop();

    f.assertDisconnectedOnce(DisconnectReason.TRANSPORT_CLOSE);
  }

  @Test
  void serverDisconnectIsServerNamespaceDisconnectAndTellsTheClient() {
    Fixture f = connectOne();

    f.channel.disconnect();
    f.channel.disconnect();

    assertThat(f.client.awaitDisconnect()).isEqualTo(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    f.assertDisconnectedOnce(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    // Sending to a gone channel is dropped quietly; the server carries on.
    f.channel.emit("late", 1);
    assertThat(server.isRunning()).isTrue();
  }

  @Test
  void disconnectIsSignalledAfterTheHandlersAlreadyQueued() throws InterruptedException {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> seen = new CopyOnWriteArrayList<>();
    server = serverOn(transport).onConnection(channel -> {
      channel.on("slow", (ch, event) -> {
        started.countDown();
        release.await(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS);
        seen.add("handled " + event.arg(0).asString());
      });
      channel.onDisconnect().subscribe(reason -> seen.add("disconnected: " + reason.wireName()));
    }).start();
    TestClient client = transport.connect("/");

    client.emit("slow", "first");
    client.emit("slow", "second");
    assertThat(started.await(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    client.drop();
    release.countDown();

    await().atMost(Timeouts.EXPECTED).until(() -> seen.size() == 3);
    assertThat(seen).containsExactly("handled first", "handled second", "disconnected: transport close");
  }

  private Fixture connectOne() {
    server = serverOn(transport).onConnection(channel -> channel.join("lobby")).onConnection(channels).start();
    TestClient client = transport.connect("/");
    Channel channel = channels.of(client);
    List<DisconnectReason> reasons = new CopyOnWriteArrayList<>();
    channel.onDisconnect().subscribe(reasons::add);
    assertThat(channel.rooms()).containsExactlyInAnyOrder(channel.id(), "lobby");
    return new Fixture(client, channel, reasons);
  }

  /** A connected client, its channel, and every disconnect reason the channel signalled. */
  private final class Fixture {
    final TestClient client;
    final Channel channel;
    final List<DisconnectReason> reasons;

    Fixture(TestClient client, Channel channel, List<DisconnectReason> reasons) {
      this.client = client;
      this.channel = channel;
      this.reasons = reasons;
    }

    void assertDisconnectedOnce(DisconnectReason expected) {
      StepVerifier.create(channel.onDisconnect()).expectNext(expected).expectComplete().verify(Timeouts.EXPECTED);
      await().atMost(Timeouts.EXPECTED).until(() -> !reasons.isEmpty());
      assertThat(reasons).containsExactly(expected);
      assertThat(channel.connected()).isFalse();
      assertThat(channel.rooms()).as("rooms left").isEmpty();
      assertThat(server.room("lobby").members()).isEmpty();
      assertThat(server.namespace().channels()).doesNotContain(channel);
      assertThat(client.isConnected()).isFalse();
    }
  }

  /** A few microseconds of work: widens the window in which a second handler could overlap this one. */
  private static void work() {
    long until = System.nanoTime() + 50_000;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }
}
