package dev.parley.test.engine;

import static dev.parley.test.engine.EngineFixtures.serverOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.Reply;
import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.LimitExceededException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.test.ConnectedChannels;
import dev.parley.test.InProcessTransport;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import tools.jackson.databind.JsonNode;

/** Acknowledgements both ways: the client's callback answered by a handler, and the server waiting for the client. */
class AckTest {

  private final InProcessTransport transport = new InProcessTransport();
  private final ConnectedChannels channels = new ConnectedChannels();
  private ChatServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  // ---- client to server: event.ack ----

  @Test
  void handlerAckAnswersTheClientsCallback() {
    CompletableFuture<Boolean> wantsAck = new CompletableFuture<>();
    start(serverOn(transport).onConnection(channel -> channel.on("ping", (ch, event) -> {
      wantsAck.complete(event.wantsAck());
      event.ack("pong", 42);
    })));
    TestClient client = transport.connect("/");

    StepVerifier.create(client.emitWithAck("ping"))
        .assertNext(args -> assertThat(texts(args)).containsExactly("pong", "42"))
        .expectComplete()
        .verify(Timeouts.EXPECTED);
    assertThat(wantsAck).isCompletedWithValue(true);
  }

  @Test
  void ackWithoutACallbackDoesNothing() throws Exception {
    CompletableFuture<String> outcome = new CompletableFuture<>();
    start(serverOn(transport).onConnection(channel -> channel.on("ping", (ch, event) -> {
      try {
        event.ack("ignored");
        event.ack("ignored too");
        outcome.complete("wantsAck=" + event.wantsAck());
      } catch (RuntimeException e) {
        outcome.complete(e.toString());
      }
    })));
    TestClient client = transport.connect("/");

    client.emit("ping");

    assertThat(outcome.get(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("wantsAck=false");
    assertThat(client.isConnected()).isTrue();
  }

  @Test
  void secondAckThrows() throws Exception {
    CompletableFuture<Throwable> second = new CompletableFuture<>();
    start(serverOn(transport).onConnection(channel -> channel.on("ping", (ch, event) -> {
      event.ack("first");
      try {
        event.ack("second");
        second.complete(null);
      } catch (RuntimeException e) {
        second.complete(e);
      }
    })));
    TestClient client = transport.connect("/");

    StepVerifier.create(client.emitWithAck("ping"))
        .assertNext(args -> assertThat(texts(args)).containsExactly("first"))
        .expectComplete()
        .verify(Timeouts.EXPECTED);
    assertThat(second.get(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("event \"ping\" was already acknowledged");
  }

  @Test
  void unserialisableAckIsRefusedAndTheAckCanStillBeSent() throws Exception {
    CompletableFuture<Throwable> refused = new CompletableFuture<>();
    start(serverOn(transport).onConnection(channel -> channel.on("ping", (ch, event) -> {
      try {
        event.ack(new Unreadable());
      } catch (RuntimeException e) {
        refused.complete(e);
      }
      event.ack("recovered");
    })));
    TestClient client = transport.connect("/");

    StepVerifier.create(client.emitWithAck("ping"))
        .assertNext(args -> assertThat(texts(args)).containsExactly("recovered"))
        .expectComplete()
        .verify(Timeouts.EXPECTED);
    assertThat(refused.get(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("argument 0 of event \"ping\" cannot be serialised to JSON");
  }

  // ---- server to client: channel.emitWithAck ----

  @Test
  void emitWithAckCompletesWithTheClientsReplyOnAHandlerThread() {
    start(serverOn(transport).config(c -> c.virtualThreads(false)));
    TestClient client = transport.connect("/").respond("ask", args -> new Object[] {"answer to " + args.get(0).asString()});
    Channel channel = channels.of(client);

    StepVerifier.create(channel.emitWithAck("ask", "q1").map(reply -> List.of(reply.arg(0).asString(),
            Thread.currentThread().getName())))
        .assertNext(got -> {
          assertThat(got.get(0)).isEqualTo("answer to q1");
          assertThat(got.get(1)).as("thread the reply is signalled on").startsWith("parley-handler-");
        })
        .expectComplete()
        .verify(Timeouts.EXPECTED);
  }

  @Test
  void emitWithAckTimesOutAfterTheConfiguredAckTimeout() {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    start(serverOn(transport).scheduler(time).config(c -> c.ackTimeout(Duration.ofSeconds(30))));
    TestClient client = transport.connect("/");
    Channel channel = channels.of(client);

    StepVerifier.withVirtualTime(() -> channel.emitWithAck("ask", "q"), () -> time, Long.MAX_VALUE)
        .expectSubscription()
        .expectNoEvent(Duration.ofSeconds(29))
        .thenAwait(Duration.ofSeconds(1))
        .expectErrorSatisfies(isAckTimeout("ask", Duration.ofSeconds(30)))
        .verify(Timeouts.EXPECTED);

    // The client was asked, never answered; a late answer is ignored, not a protocol error.
    ReceivedEvent asked = client.next();
    assertThat(asked.name()).isEqualTo("ask");
    client.ack(asked.ackId(), "too late");
    channel.emit("still", "here");
    assertThat(client.next().name()).isEqualTo("still");
    assertThat(client.isConnected()).isTrue();
  }

  @Test
  void emitWithAckTimesOutAfterItsOwnTimeout() {
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    start(serverOn(transport).scheduler(time).config(c -> c.ackTimeout(Duration.ofMinutes(10))));
    Channel channel = channels.of(transport.connect("/"));

    StepVerifier.withVirtualTime(() -> channel.emitWithAck(Duration.ofSeconds(5), "ask"), () -> time, Long.MAX_VALUE)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(4_999))
        .thenAwait(Duration.ofMillis(1))
        .expectErrorSatisfies(isAckTimeout("ask", Duration.ofSeconds(5)))
        .verify(Timeouts.EXPECTED);
  }

  @Test
  void emitWithAckTimesOutInRealTimeToo() {
    start(serverOn(transport).config(c -> c.ackTimeout(Duration.ofMillis(100))));
    Channel channel = channels.of(transport.connect("/"));

    StepVerifier.create(channel.emitWithAck("ask"))
        .expectErrorSatisfies(isAckTimeout("ask", Duration.ofMillis(100)))
        .verify(Timeouts.EXPECTED);
  }

  @Test
  void pendingAcksAreBounded() {
    start(serverOn(transport).config(c -> c.maxPendingAcks(3)));
    TestClient client = transport.connect("/");
    Channel channel = channels.of(client);

    Mono<Reply> first = channel.emitWithAck("ask", 1);
    channel.emitWithAck("ask", 2);
    channel.emitWithAck("ask", 3);
    Mono<Reply> fourth = channel.emitWithAck("ask", 4);

    StepVerifier.create(fourth)
        .expectErrorSatisfies(e -> assertThat(e)
            .isInstanceOfSatisfying(LimitExceededException.class, limit -> {
              assertThat(limit.limit()).isEqualTo("maxPendingAcks");
              assertThat(limit.value()).isEqualTo(3);
            })
            .hasMessage("maxPendingAcks limit of 3 reached"))
        .verify(Timeouts.EXPECTED);
    List<ReceivedEvent> asked = client.next(3);
    assertThat(asked).extracting(e -> e.arg(0).asInt()).containsExactly(1, 2, 3);
    client.assertNoMoreEvents();

    // An answer frees a slot.
    client.ack(asked.get(0).ackId(), "one");
    StepVerifier.create(first)
        .assertNext(reply -> assertThat(reply.arg(0).asString()).isEqualTo("one"))
        .expectComplete()
        .verify(Timeouts.EXPECTED);
    Mono<Reply> fifth = channel.emitWithAck("ask", 5);
    ReceivedEvent asked5 = client.next();
    client.ack(asked5.ackId(), "five");
    StepVerifier.create(fifth)
        .assertNext(reply -> assertThat(reply.arg(0).asString()).isEqualTo("five"))
        .expectComplete()
        .verify(Timeouts.EXPECTED);
  }

  @Test
  void pendingAcksFailWhenTheClientDrops() {
    start(serverOn(transport));
    TestClient client = transport.connect("/");
    Channel channel = channels.of(client);
    Mono<Reply> first = channel.emitWithAck("ask", 1);
    Mono<Reply> second = channel.emitWithAck("ask", 2);
    client.next(2);

    client.drop();

    StepVerifier.create(first).expectErrorSatisfies(isChannelClosed(DisconnectReason.TRANSPORT_CLOSE))
        .verify(Timeouts.EXPECTED);
    StepVerifier.create(second).expectErrorSatisfies(isChannelClosed(DisconnectReason.TRANSPORT_CLOSE))
        .verify(Timeouts.EXPECTED);
    StepVerifier.create(channel.emitWithAck("ask", 3)).expectError(ChannelClosedException.class)
        .verify(Timeouts.EXPECTED);
  }

  @Test
  void pendingAcksFailWhenTheServerDisconnectsTheChannel() {
    start(serverOn(transport));
    TestClient client = transport.connect("/");
    Channel channel = channels.of(client);
    Mono<Reply> pending = channel.emitWithAck("ask");
    client.next();

    channel.disconnect();

    StepVerifier.create(pending).expectErrorSatisfies(isChannelClosed(DisconnectReason.SERVER_NAMESPACE_DISCONNECT))
        .verify(Timeouts.EXPECTED);
  }

  @Test
  void unserialisableArgumentOfEmitWithAckUsesNoSlot() {
    start(serverOn(transport).config(c -> c.maxPendingAcks(1)));
    TestClient client = transport.connect("/").respond("ask", args -> new Object[] {"ok"});
    Channel channel = channels.of(client);

    assertThatThrownBy(() -> channel.emitWithAck("ask", new Unreadable())).isInstanceOf(IllegalArgumentException.class);

    StepVerifier.create(channel.emitWithAck("ask")).expectNextCount(1).expectComplete().verify(Timeouts.EXPECTED);
  }

  private void start(ChatServer.Builder builder) {
    server = builder.onConnection(channels).start();
  }

  private static Consumer<Throwable> isAckTimeout(String event, Duration timeout) {
    return e -> assertThat(e)
        .isInstanceOfSatisfying(AckTimeoutException.class, t -> {
          assertThat(t.event()).isEqualTo(event);
          assertThat(t.timeout()).isEqualTo(timeout);
        })
        .hasMessage("no ack for event \"" + event + "\" within " + timeout.toMillis() + " ms");
  }

  private static Consumer<Throwable> isChannelClosed(DisconnectReason reason) {
    return e -> assertThat(e)
        .isInstanceOfSatisfying(ChannelClosedException.class, c -> assertThat(c.reason()).isEqualTo(reason))
        .hasMessageEndingWith("disconnected: " + reason.wireName());
  }

  private static List<String> texts(List<JsonNode> args) {
    return args.stream().map(JsonNode::asString).toList();
  }

  /** A bean Jackson cannot read. */
  public static final class Unreadable {
    public String getValue() {
      throw new IllegalStateException("unreadable");
    }
  }
}
