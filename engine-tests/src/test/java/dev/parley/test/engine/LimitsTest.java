package dev.parley.test.engine;

import static dev.parley.test.engine.EngineFixtures.serverOn;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.ConnectionHandler;
import dev.parley.error.LimitExceededException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.test.ConnectedChannels;
import dev.parley.test.InProcessTransport;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import tools.jackson.databind.JsonNode;

/** The engine's per-channel limits: rooms a channel may be in, and the rate of events it may send. */
class LimitsTest {
  private static final String RATE_LIMITED = "{\"error\":\"rate limited\"}";

  private final InProcessTransport transport = new InProcessTransport();
  private final ConnectedChannels channels = new ConnectedChannels();
  private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
  private final List<Integer> handled = new CopyOnWriteArrayList<>();
  private ChatServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    time.dispose();
  }

  // ---- rooms per channel ----

  @Test
  void joinBeyondMaxRoomsPerChannelFailsAndJoinsNothing() {
    server = serverOn(transport).config(c -> c.maxRoomsPerChannel(3)).onConnection(channels).start();
    TestClient client = transport.connect("/");
    Channel channel = channels.of(client);
    for (String room : List.of("a", "b", "c")) {
      StepVerifier.create(channel.join(room)).expectComplete().verify(Timeouts.EXPECTED);
    }

    StepVerifier.create(channel.join("d"))
        .expectErrorSatisfies(e -> assertThat(e)
            .isInstanceOfSatisfying(LimitExceededException.class, limit -> {
              assertThat(limit.limit()).isEqualTo("maxRoomsPerChannel");
              assertThat(limit.value()).isEqualTo(3);
            })
            .hasMessage("maxRoomsPerChannel limit of 3 reached"))
        .verify(Timeouts.EXPECTED);

    // The room of its own id does not count; the refused room was not joined.
    assertThat(channel.rooms()).containsExactlyInAnyOrder(channel.id(), "a", "b", "c");
    server.to("d").emit("probe", "d");
    server.to("a").emit("probe", "a");
    assertThat(client.next().arg(0).asString()).isEqualTo("a");
    // Joining a room it is already in is not a new room; leaving one frees a place.
    StepVerifier.create(channel.join("a")).expectComplete().verify(Timeouts.EXPECTED);
    channel.leave("a");
    StepVerifier.create(channel.join("d")).expectComplete().verify(Timeouts.EXPECTED);
    assertThat(channel.rooms()).containsExactlyInAnyOrder(channel.id(), "b", "c", "d");
  }

  // ---- inbound events per second ----

  @Test
  void eventsBeyondTheBurstAreAnsweredRateLimitedWithoutReachingHandlers() {
    // The CONNECT takes one of the four: joining a namespace counts against the same limit.
    startEcho(c -> c.maxEventsPerSecond(10).maxEventBurst(4));
    TestClient client = transport.connect("/");

    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      answers.add(client.emitWithAck("echo", i).block(Timeouts.EXPECTED).toString());
    }

    assertThat(answers).containsExactly("[0]", "[1]", "[2]", "[" + RATE_LIMITED + "]", "[" + RATE_LIMITED + "]");
    assertThat(handled).containsExactly(0, 1, 2);
    assertThat(client.isConnected()).isTrue();
    assertThat(server.stats().rateLimitedEvents()).isEqualTo(2);
  }

  @Test
  void theBudgetRefillsAtMaxEventsPerSecond() {
    startEcho(c -> c.maxEventsPerSecond(10).maxEventBurst(3));
    TestClient client = transport.connect("/");
    client.emitWithAck("echo", 0).block(Timeouts.EXPECTED);
    client.emitWithAck("echo", 1).block(Timeouts.EXPECTED);
    assertThat(answer(client, 2)).isEqualTo("[" + RATE_LIMITED + "]");

    // 10 per second: 150 ms buys one event, not two.
    time.advanceTimeBy(Duration.ofMillis(150));

    assertThat(answer(client, 3)).isEqualTo("[3]");
    assertThat(answer(client, 4)).isEqualTo("[" + RATE_LIMITED + "]");
    // A long pause refills the bucket only up to the burst.
    time.advanceTimeBy(Duration.ofMinutes(1));
    assertThat(List.of(answer(client, 5), answer(client, 6), answer(client, 7), answer(client, 8)))
        .containsExactly("[5]", "[6]", "[7]", "[" + RATE_LIMITED + "]");
    assertThat(handled).containsExactly(0, 1, 3, 5, 6, 7);
  }

  @Test
  void excessEventsWithoutAckAreDroppedAndCounted() {
    startEcho(c -> c.maxEventsPerSecond(1).maxEventBurst(3));
    TestClient client = transport.connect("/");

    for (int i = 0; i < 10; i++) {
      client.emit("echo", i);
    }

    // A last event with an ack, once the budget has refilled: handlers run in arrival order, so once it is
    // answered every event let through before it has been handled.
    time.advanceTimeBy(Duration.ofSeconds(1));
    assertThat(answer(client, 10)).isEqualTo("[10]");
    assertThat(handled).containsExactly(0, 1, 10);
    assertThat(client.isConnected()).isTrue();
  }

  @Test
  void eachConnectionHasItsOwnBudget() {
    startEcho(c -> c.maxEventsPerSecond(1).maxEventBurst(2));
    TestClient flooder = transport.connect("/");
    TestClient other = transport.connect("/");

    assertThat(answer(flooder, 1)).isEqualTo("[1]");
    assertThat(answer(flooder, 2)).isEqualTo("[" + RATE_LIMITED + "]");

    assertThat(answer(other, 3)).isEqualTo("[3]");
  }

  @Test
  void disconnectOnRateLimitEndsTheChannelInstead() throws Exception {
    CompletableFuture<DisconnectReason> reason = new CompletableFuture<>();
    startEcho(c -> c.maxEventsPerSecond(1).maxEventBurst(3).disconnectOnRateLimit(true),
        channel -> channel.onDisconnect().subscribe(reason::complete));
    TestClient client = transport.connect("/");
    // Its connection handlers have run, so the onDisconnect subscription is in place.
    channels.of(client);

    client.emit("echo", 0);
    client.emit("echo", 1);
    client.emit("echo", 2);

    assertThat(client.awaitDisconnect()).isEqualTo(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    assertThat(reason.get(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(DisconnectReason.RATE_LIMITED);
    assertThat(handled).containsExactly(0, 1);
  }

  private void startEcho(Consumer<ChatServerConfig.Builder> config) {
    startEcho(config, channel -> { });
  }

  private void startEcho(Consumer<ChatServerConfig.Builder> config,
                         ConnectionHandler extra) {
    server = serverOn(transport).scheduler(time).config(config)
        .onConnection(channel -> channel.on("echo", (ch, event) -> {
          handled.add(event.arg(0, Integer.class));
          event.ack(event.arg(0));
        }))
        .onConnection(extra)
        .onConnection(channels)
        .start();
  }

  private static String answer(TestClient client, int value) {
    List<JsonNode> args = client.emitWithAck("echo", value).block(Timeouts.EXPECTED);
    return String.valueOf(args);
  }
}
