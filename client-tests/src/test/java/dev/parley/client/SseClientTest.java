package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.protocol.DisconnectReason;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * What is particular to the client's SSE mode, against a real Parley server (embedded Jetty with the SSE
 * and WebSocket transports) on 127.0.0.1; what both modes share is in {@link TransportParityTest}.
 */
class SseClientTest extends ClientTestSupport {
  private BothTransportsApp app;

  @BeforeEach
  void start() throws IOException {
    app = track(new BothTransportsApp());
  }

  private static ParleyClient.Builder sse(URI url) {
    return ParleyClient.builder(url).transport(ClientTransport.SSE);
  }

  // ---- connecting ----

  @Test
  void sendsHeadersAndCookiesOnEveryRequest() {
    ParleyClient client = connect(sse(app.directUrl()).header("X-Test", "yes").header("Cookie", "who=ada"));

    ClientReply reply = client.emitWithAck("whoami").block(WAIT);

    assertThat(reply.arg(0, String.class)).isEqualTo(client.id());
    assertThat(reply.arg(1, String.class)).isEqualTo("yes");
    assertThat(reply.arg(2, String.class)).isEqualTo("ada");
  }

  @Test
  void refusesWhatSseCannotCarry() {
    assertThatThrownBy(() -> sse(app.directUrl()).auth(Map.of("token", "t")).connect())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SSE");
    assertThatThrownBy(() -> sse(app.directUrl()).header("Host", "elsewhere").connect())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"Host\"");
    assertThatThrownBy(() -> ParleyClient.builder(app.directUrl()).path("/sse/lobby"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transport(ClientTransport.SSE) first");
    assertThat(sse(app.directUrl()).path("/sse/lobby")).isNotNull();
    assertThatThrownBy(() -> sse(app.directUrl()).path("sse"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start with");
    assertThat(clientThreads()).isEmpty();
  }

  // ---- messaging ----

  @Test
  void receivesARoomBroadcastAndAPostedMessage() throws InterruptedException {
    Recorder<ClientEvent> broadcastsA = events();
    Recorder<ClientEvent> broadcastsB = events();
    Recorder<ClientEvent> chatsA = events();
    Recorder<ClientEvent> chatsB = events();
    ParleyClient a = connect(sse(app.directUrl()).path("/sse/lobby")
        .on("broadcast", broadcastsA::accept).on("chat", chatsA::accept));
    ParleyClient b = connect(sse(app.directUrl()).path("/sse/lobby")
        .on("broadcast", broadcastsB::accept).on("chat", chatsB::accept));
    sync(a);
    sync(b);

    a.emit("shout", "hi all");
    for (Recorder<ClientEvent> broadcasts : List.of(broadcastsA, broadcastsB)) {
      ClientEvent event = broadcasts.next();
      assertThat(event.name()).isEqualTo("broadcast");
      assertThat(event.args()).hasSize(1);
      assertThat(event.arg(0, String.class)).isEqualTo("hi all");
      assertThat(event.wantsAck()).isFalse();
      assertThat(broadcasts.lastThread()).startsWith(ParleyClient.THREAD_NAME_PREFIX).contains("-events-");
    }

    // A channel's post goes to every member of the room but the poster.
    String messageId = b.emitWithAck("chat", Map.of("text", "posted")).block(WAIT).arg(0, String.class);
    assertThat(messageId).isNotBlank();
    assertThat(chatsA.next().arg(0).path("text").asString()).isEqualTo("posted");

    app.server.room("lobby").post("chat", Map.of("text", "from the server")).block(WAIT);
    for (Recorder<ClientEvent> chats : List.of(chatsA, chatsB)) {
      assertThat(chats.next().arg(0).path("text").asString()).isEqualTo("from the server");
    }
  }

  @Test
  void severalArgumentsOneArrayArgumentAndNoArgumentArriveApart() throws InterruptedException {
    Recorder<ClientEvent> received = events();
    ParleyClient client = connect(sse(app.directUrl()).on("bounced", received::accept));

    client.emit("bounce", "a", 2);
    client.emit("bounce", List.of("a", 2));
    client.emit("bounce");
    client.emit("bounce", Map.of("ackId", 5, "args", List.of()));
    client.emit("bounce", Map.of("parley:args", List.of(1)));

    // The stream tells several arguments ({"parley:args": [...]}) from one array argument (the bare array).
    ClientEvent several = received.next();
    assertThat(several.args()).hasSize(2);
    assertThat(several.arg(0).asString()).isEqualTo("a");
    assertThat(several.arg(1).asInt()).isEqualTo(2);
    ClientEvent array = received.next();
    assertThat(array.args()).hasSize(1);
    assertThat(array.arg(0).isArray()).isTrue();
    assertThat(array.arg(0).size()).isEqualTo(2);
    assertThat(array.arg(0).get(1).asInt()).isEqualTo(2);
    assertThat(received.next().args()).isEmpty();
    // A payload of the old ack request shape is a payload, not a request; one with the envelope's key too.
    ClientEvent oldShape = received.next();
    assertThat(oldShape.args()).hasSize(1);
    assertThat(oldShape.arg(0).path("ackId").asInt()).isEqualTo(5);
    assertThat(oldShape.arg(0).path("args").isArray()).isTrue();
    ClientEvent envelopeKey = received.next();
    assertThat(envelopeKey.args()).hasSize(1);
    assertThat(envelopeKey.arg(0).path("parley:args").get(0).asInt()).isEqualTo(1);
  }

  @Test
  void anEmitWithAckNoHandlerAnswersRepliesWithoutArguments() {
    ParleyClient client = connect(sse(app.directUrl()));

    ClientReply reply = client.emitWithAck("nobody-listens", 1).block(WAIT);

    assertThat(reply.args()).isEmpty();
  }

  @Test
  void theServersAckTimeoutIsAnAckTimeoutToo() {
    ParleyClient client = connect(sse(app.directUrl()));

    // The server gives up after its postAckTimeout (1 s) and answers 504: the same exception as the
    // client's own timeout, sooner.
    StepVerifier.create(client.emitWithAck(Duration.ofSeconds(8), "silence"))
        .expectErrorSatisfies(e -> {
          assertThat(e).isInstanceOf(AckTimeoutException.class);
          assertThat(((AckTimeoutException) e).event()).isEqualTo("silence");
          assertThat(((AckTimeoutException) e).timeout()).isLessThan(Duration.ofSeconds(8));
        })
        .verify(WAIT);
    assertThat(client.isConnected()).isTrue();
    assertThat(client.emitWithAck("echo", "still here").block(WAIT).arg(0, String.class)).isEqualTo("still here");
  }

  // ---- losing the connection ----

  @Test
  void reconnectResumesWithLastEventIdAndLosesNothingPostedMeanwhile() throws InterruptedException {
    Recorder<ClientEvent> chats = events();
    Recorder<DisconnectReason> disconnects = recorder();
    Recorder<String> connects = recorder();
    ParleyClient client = connect(sse(app.proxiedUrl()).path("/sse/resume").reconnect(FAST)
        .on("chat", chats::accept)
        .onConnect(() -> connects.accept("connect"))
        .onDisconnect(disconnects));
    assertThat(connects.next()).isEqualTo("connect");
    String firstId = client.id();
    sync(client);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(app.server.room("resume").post("chat", Map.of("n", i)).block(WAIT).id());
    }
    for (int i = 0; i < 5; i++) {
      assertThat(chats.next().arg(0).path("n").asInt()).isEqualTo(i);
    }

    // The server side of the stream goes away; the client's resume is held until more has been posted.
    CountDownLatch resume = app.holdResumes();
    var pendingReply = client.emitWithAck("silence");
    app.proxy.dropAll();
    assertThat(disconnects.next()).isIn(DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.TRANSPORT_ERROR);
    StepVerifier.create(pendingReply).expectError(ChannelClosedException.class).verify(WAIT);
    assertThatThrownBy(() -> client.emit("echo")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("reconnecting");
    for (int i = 5; i < 10; i++) {
      app.server.room("resume").post("chat", Map.of("n", i)).block(WAIT);
    }
    await().atMost(WAIT).until(() -> !app.resumedAfter.isEmpty());
    resume.countDown();

    assertThat(connects.next()).isEqualTo("connect");
    assertThat(app.resumedAfter.get(0)).isEqualTo(ids.get(4));
    assertThat(client.id()).isNotNull().isNotEqualTo(firstId);
    for (int i = 5; i < 10; i++) {
      ClientEvent event = chats.next();
      assertThat(event.arg(0).path("n").asInt()).isEqualTo(i);
    }
    app.server.room("resume").post("chat", Map.of("n", 10)).block(WAIT);
    assertThat(chats.next().arg(0).path("n").asInt()).isEqualTo(10);
    // Nothing twice: after the live message, nothing else is waiting.
    sync(client);
    assertThat(chats.isEmpty()).isTrue();
    assertThat(app.resumedAfter).hasSize(1);
  }

  // ---- both transports ----

  @Test
  void sseAndWebSocketClientsInOneRoomSeeEachOthersEmitsAndPosts() throws InterruptedException {
    Recorder<ClientEvent> atSse = events();
    Recorder<ClientEvent> atWs = events();
    ParleyClient sse = connect(sse(app.directUrl()).path("/sse/mixed")
        .on("broadcast", atSse::accept).on("chat", atSse::accept));
    ParleyClient ws = connect(ParleyClient.builder(app.directUrl()).auth(Map.of("room", "mixed"))
        .on("broadcast", atWs::accept).on("chat", atWs::accept));
    sync(sse);
    sync(ws);

    sse.emit("shout", "from sse");
    ws.emit("shout", "from ws");
    sse.emitWithAck("chat", Map.of("text", "posted over sse")).block(WAIT);
    ws.emitWithAck("chat", Map.of("text", "posted over ws")).block(WAIT);

    // Broadcasts reach the whole room; a post reaches every member but the poster.
    assertThat(texts(atSse, 3)).containsExactlyInAnyOrder("broadcast: from sse", "broadcast: from ws",
        "chat: posted over ws");
    assertThat(texts(atWs, 3)).containsExactlyInAnyOrder("broadcast: from sse", "broadcast: from ws",
        "chat: posted over sse");
    sync(sse);
    sync(ws);
    assertThat(atSse.isEmpty()).isTrue();
    assertThat(atWs.isEmpty()).isTrue();
  }

  private static List<String> texts(Recorder<ClientEvent> seen, int count) throws InterruptedException {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ClientEvent event = seen.next();
      texts.add(event.name() + ": " + (event.name().equals("chat") ? event.arg(0).path("text").asString()
          : event.arg(0, String.class)));
    }
    return texts;
  }

  // ---- resources ----

  @Test
  void closeEndsTheHttpThreadsAndTheHttpClientsSelector() {
    ParleyClient client = sse(app.directUrl()).connect();
    client.emitWithAck("echo", "x").block(WAIT);
    assertThat(clientThreads()).anyMatch(name -> name.contains("-http-"))
        .anyMatch(name -> name.matches("HttpClient-\\d+-SelectorManager"));

    client.close();

    assertThat(clientThreads()).isEmpty();
  }
}
