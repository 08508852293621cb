package dev.parley.test.engine;

import static dev.parley.test.engine.EngineFixtures.serverOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.Event;
import dev.parley.ServerStats;
import dev.parley.error.AckTimeoutException;
import dev.parley.test.ConnectedChannels;
import dev.parley.test.InProcessTransport;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import tools.jackson.databind.JsonNode;

/** {@code ChatServer.stats()}: each count follows what clients make the engine hold, and falls back to zero. */
class ServerStatsTest {

  private final InProcessTransport transport = new InProcessTransport();
  private final ConnectedChannels channels = new ConnectedChannels();
  private ChatServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void idleBeforeStartAndWithoutClients() {
    server = serverOn(transport).build();
    assertThat(server.stats()).isEqualTo(zero());

    server.start();

    assertThat(server.stats()).isEqualTo(zero());
    assertThat(server.stats().isIdle()).isTrue();
  }

  @Test
  void countsChannelsRoomsAndMembershipsUntilTheClientsLeave() {
    start(serverOn(transport).onConnection(channel -> {
      channel.join("lobby");
      if (channel.handshake().auth().path("vip").asBoolean(false)) {
        channel.join("vip");
      }
    }));

    TestClient plain = transport.connect("/");
    TestClient vip = transport.connect("/", tools.jackson.databind.node.JsonNodeFactory.instance.objectNode()
        .put("vip", true));
    channels.of(plain);
    channels.of(vip);

    ServerStats both = server.stats();
    assertThat(both.sessions()).isEqualTo(2);
    assertThat(both.channels()).isEqualTo(2);
    // Two own rooms, "lobby" and "vip"; memberships: own + lobby for each, and vip once.
    assertThat(both.rooms()).isEqualTo(4);
    assertThat(both.roomMemberships()).isEqualTo(5);
    assertThat(both.isIdle()).isFalse();

    vip.close();
    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().channels() == 1);
    ServerStats one = server.stats();
    assertThat(one.sessions()).isEqualTo(1);
    assertThat(one.rooms()).isEqualTo(2);
    assertThat(one.roomMemberships()).isEqualTo(2);

    plain.drop();
    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().isIdle());
    assertThat(server.stats()).isEqualTo(zero());
  }

  @Test
  void leavingARoomUncountsTheMembershipAndTheEmptyRoom() {
    start(serverOn(transport).onConnection(channel -> channel.join("lobby")));
    Channel channel = channels.of(transport.connect("/"));
    assertThat(server.stats().roomMemberships()).isEqualTo(2);

    channel.leave("lobby");

    assertThat(server.stats().roomMemberships()).isEqualTo(1);
    assertThat(server.stats().rooms()).isEqualTo(1);
  }

  @Test
  void countsPendingAcksAndTheirTimersUntilTheyTimeOut() {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    try {
      start(serverOn(transport).scheduler(time).config(c -> c.ackTimeout(Duration.ofSeconds(5))));
      TestClient client = transport.connect("/");
      Channel channel = channels.of(client);

      Mono<?> first = channel.emitWithAck("ask", 1);
      Mono<?> second = channel.emitWithAck("ask", 2);
      client.next(2);

      assertThat(server.stats().pendingAcks()).isEqualTo(2);
      assertThat(server.stats().timers()).isEqualTo(2);

      time.advanceTimeBy(Duration.ofSeconds(5));

      StepVerifier.create(first).expectError(AckTimeoutException.class).verify(Timeouts.EXPECTED);
      StepVerifier.create(second).expectError(AckTimeoutException.class).verify(Timeouts.EXPECTED);
      assertThat(server.stats().pendingAcks()).isZero();
      assertThat(server.stats().timers()).isZero();
    } finally {
      time.dispose();
    }
  }

  @Test
  void anAnsweredAckReleasesItsTimer() {
    start(serverOn(transport));
    TestClient client = transport.connect("/");
    Channel channel = channels.of(client);
    Mono<?> reply = channel.emitWithAck("ask");
    long ackId = client.next().ackId();
    assertThat(server.stats().timers()).isEqualTo(1);

    client.ack(ackId, "yes");

    StepVerifier.create(reply).expectNextCount(1).expectComplete().verify(Timeouts.EXPECTED);
    assertThat(server.stats().pendingAcks()).isZero();
    assertThat(server.stats().timers()).isZero();
  }

  @Test
  void pendingAcksOfADroppedClientAreNotCounted() {
    start(serverOn(transport));
    TestClient client = transport.connect("/");
    Channel channel = channels.of(client);
    channel.emitWithAck("ask").subscribe(r -> { }, e -> { });
    client.next();

    client.drop();

    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().isIdle());
  }

  @Test
  void countsAcksOwedToAClientUntilTheHandlerAnswers() throws Exception {
    CompletableFuture<Event> held = new CompletableFuture<>();
    start(serverOn(transport).onConnection(channel -> {
      channel.on("later", (ch, event) -> held.complete(event));
      channel.on("now", (ch, event) -> event.ack("done"));
    }));
    TestClient client = transport.connect("/");
    channels.of(client);

    Mono<List<JsonNode>> later = client.emitWithAck("later");
    Event event = held.get(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS);
    StepVerifier.create(client.emitWithAck("now")).expectNextCount(1).expectComplete().verify(Timeouts.EXPECTED);
    client.emit("later-without-callback");

    assertThat(server.stats().acksOwed()).isEqualTo(1);

    event.ack("finally");

    StepVerifier.create(later).expectNextCount(1).expectComplete().verify(Timeouts.EXPECTED);
    assertThat(server.stats().acksOwed()).isZero();
    assertThatThrownBy(() -> event.ack("twice")).isInstanceOf(IllegalStateException.class);
    assertThat(server.stats().acksOwed()).isZero();
  }

  @Test
  void anEventNobodyHandlesOwesNoAck() {
    start(serverOn(transport));
    TestClient client = transport.connect("/");
    channels.of(client);

    client.emitWithAck("unknown").subscribe(r -> { }, e -> { });

    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().acksOwed() == 0);
  }

  @Test
  void countsPacketsQueuedForAClientThatStoppedReading() {
    start(serverOn(transport));
    TestClient client = transport.connect("/");
    Channel channel = channels.of(client);
    // The CONNECT answer has reached the client, but its write may not have completed yet.
    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().queuedPackets() == 0);

    client.stall();
    channel.emit("one");
    channel.emit("two");
    channel.emit("three");

    assertThat(server.stats().queuedPackets()).isEqualTo(3);

    client.resume();

    await().atMost(Timeouts.EXPECTED).until(() -> server.stats().queuedPackets() == 0);
    assertThat(client.next(3)).extracting(e -> e.name()).containsExactly("one", "two", "three");
  }

  private void start(ChatServer.Builder builder) {
    server = builder.onConnection(channels).start();
  }

  private static ServerStats zero() {
    return new ServerStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0);
  }
}
