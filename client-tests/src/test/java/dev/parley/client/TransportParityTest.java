package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.error.ParleyException;
import dev.parley.error.TransportException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Refusal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The same API behaves the same over both transports: each test runs once over WebSocket and once over
 * SSE, against one server that has both ({@link BothTransportsApp}), on 127.0.0.1.
 */
class TransportParityTest extends ClientTestSupport {
  private BothTransportsApp app;

  @BeforeEach
  void start() throws IOException {
    app = track(new BothTransportsApp());
  }

  private static ParleyClient.Builder builder(ClientTransport transport, URI url) {
    return ParleyClient.builder(url).transport(transport);
  }

  // ---- connecting ----

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void connectsAndEchoesWithAck(ClientTransport transport) {
    ParleyClient client = connect(builder(transport, app.directUrl()));

    assertThat(client.isConnected()).isTrue();
    assertThat(client.id()).isNotBlank();
    assertThat(client.namespace()).isEqualTo("/");
    ClientReply reply = client.emitWithAck("echo", Map.of("hello", "world"), 42, "three").block(WAIT);
    assertThat(reply).isNotNull();
    assertThat(reply.size()).isEqualTo(3);
    assertThat(reply.arg(0).path("hello").asString()).isEqualTo("world");
    assertThat(reply.arg(1, Integer.class)).isEqualTo(42);
    assertThat(reply.arg(2, String.class)).isEqualTo("three");
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void middlewareRejectionSurfacesAsConnectionRejected(ClientTransport transport) {
    assertThatThrownBy(() -> connect(builder(transport, URI.create(app.directUrl() + "/?token=bad"))))
        .isInstanceOfSatisfying(ConnectionRejectedException.class, e -> {
          assertThat(e).hasMessage("not authorized");
          assertThat(e.data()).isNotNull();
          assertThat(e.data().path("status").asInt()).isEqualTo(401);
        });
    assertThat(clientThreads()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void unknownNamespaceIsRejected(ClientTransport transport) {
    assertThatThrownBy(() -> connect(builder(transport, app.directUrl()).namespace("/nowhere")))
        .isInstanceOfSatisfying(ConnectionRejectedException.class,
            e -> assertThat(e.refusal()).isEqualTo(Refusal.INVALID_NAMESPACE))
        .hasMessage("Invalid namespace");
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void failingMiddlewareIsARefusalOverBothTransports(ClientTransport transport) {
    // SSE answers 500 and WebSocket a CONNECT_ERROR; the client makes the same exception of both. Only SSE
    // can tell the kind: Socket.IO's CONNECT_ERROR does not carry it.
    assertThatThrownBy(() -> connect(builder(transport, URI.create(app.directUrl() + "/?token=crash"))))
        .isInstanceOfSatisfying(ConnectionRejectedException.class, e -> assertThat(e.refusal())
            .isEqualTo(transport == ClientTransport.SSE ? Refusal.INTERNAL : Refusal.REJECTED))
        .hasMessage("internal server error");
    assertThat(clientThreads()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void firstConnectTimesOutOnTheClientsTimers(ClientTransport transport) throws Exception {
    TimerLog time = new TimerLog();
    Duration connectTimeout = Duration.ofSeconds(7);
    CompletableFuture<ParleyClient> connecting = CompletableFuture.supplyAsync(() -> builder(transport,
        URI.create(app.directUrl() + "/?token=slow")).scheduler(time).connectTimeout(connectTimeout).connect());
    try {
      TimerLog.Timer answer = time.next(connectTimeout);
      time.advanceTimeBy(connectTimeout.minusMillis(1));
      assertThat(answer.hasFired()).isFalse();
      assertThat(connecting).isNotDone();
      time.advanceTimeBy(Duration.ofMillis(1));

      assertThat(connecting).failsWithin(WAIT).withThrowableThat()
          .withCauseInstanceOf(TransportException.class)
          .withMessageContaining("within 7000 ms");
      assertThat(clientThreads()).isEmpty();
    } finally {
      connecting.thenAccept(ParleyClient::close);
    }
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void nothingListeningIsATransportException(ClientTransport transport) throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    String endpoint = transport == ClientTransport.SSE ? "http://127.0.0.1:" + port + "/sse/"
        : "ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket";
    assertThatThrownBy(() -> connect(builder(transport, URI.create("http://127.0.0.1:" + port))))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("could not connect to " + endpoint);
    assertThat(clientThreads()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void wrongPathIsATransportExceptionWithTheHttpStatus(ClientTransport transport) {
    assertThatThrownBy(() -> connect(builder(transport, app.directUrl()).path("/elsewhere/")))
        .isInstanceOfSatisfying(TransportException.class, e -> {
          assertThat(e.httpStatus()).hasValue(404);
          assertThat(e.closeCode()).isEmpty();
        });
  }

  // ---- messaging ----

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void handlersRunInArrivalOrderOnTheEventThread(ClientTransport transport) throws InterruptedException {
    Recorder<ClientEvent> received = events();
    ParleyClient client = connect(builder(transport, app.directUrl()).on("bounced", received::accept));

    for (int i = 0; i < 50; i++) {
      client.emit("bounce", i);
    }
    for (int i = 0; i < 50; i++) {
      assertThat(received.next().arg(0, Integer.class)).isEqualTo(i);
      assertThat(received.lastThread()).startsWith(ParleyClient.THREAD_NAME_PREFIX).contains("-events-");
    }
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void answersTheServersAck(ClientTransport transport) throws InterruptedException {
    Recorder<ClientEvent> answers = events();
    AtomicReference<Boolean> wanted = new AtomicReference<>();
    ParleyClient client = connect(builder(transport, app.directUrl())
        .on("answer", answers::accept)
        .on("question", event -> {
          wanted.set(event.wantsAck());
          event.ack("forty-two about " + event.arg(0, String.class));
        }));

    client.emit("ask", "life");

    assertThat(answers.next().arg(0, String.class)).isEqualTo("forty-two about life");
    assertThat(wanted.get()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void ackTimesOutAfterTheConfiguredDelay(ClientTransport transport) throws Exception {
    TimerLog time = new TimerLog();
    ParleyClient client = connect(builder(transport, app.directUrl()).scheduler(time)
        .ackTimeout(Duration.ofSeconds(10)));

    CompletableFuture<ClientReply> reply = client.emitWithAck("silence", "anyone?").toFuture();
    TimerLog.Timer timer = time.next(Duration.ofSeconds(10));
    time.advanceTimeBy(Duration.ofSeconds(10).minusMillis(1));
    assertThat(timer.hasFired()).isFalse();
    assertThat(reply).isNotDone();
    time.advanceTimeBy(Duration.ofMillis(1));
    assertThat(timer.hasFired()).isTrue();
    StepVerifier.create(Mono.fromFuture(reply))
        .expectErrorSatisfies(e -> {
          assertThat(e).isInstanceOf(AckTimeoutException.class);
          assertThat(((AckTimeoutException) e).event()).isEqualTo("silence");
          assertThat(((AckTimeoutException) e).timeout()).isEqualTo(Duration.ofSeconds(10));
        })
        .verify(WAIT);

    // A per-call timeout; and an answer in time cancels the timer.
    Mono<ClientReply> shorter = client.emitWithAck(Duration.ofMillis(100), "silence");
    time.next(Duration.ofMillis(100));
    time.advanceTimeBy(Duration.ofMillis(100));
    StepVerifier.create(shorter).expectError(AckTimeoutException.class).verify(WAIT);
    assertThat(client.emitWithAck("echo", "quick").block(WAIT).arg(0, String.class)).isEqualTo("quick");
    time.advanceTimeBy(Duration.ofSeconds(20));
    assertThat(client.isConnected()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void pendingAckFailsWhenTheClientDisconnects(ClientTransport transport) {
    ParleyClient client = connect(builder(transport, app.directUrl()));
    String id = client.id();

    var reply = client.emitWithAck("silence");
    client.disconnect();

    StepVerifier.create(reply)
        .expectErrorSatisfies(e -> {
          assertThat(e).isInstanceOf(ChannelClosedException.class).hasMessageContaining(id);
          assertThat(((ChannelClosedException) e).reason()).isEqualTo(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
        })
        .verify(WAIT);
    assertThatThrownBy(() -> client.emit("echo")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("disconnected");
    await().atMost(WAIT).until(() -> app.server.namespace().channels().isEmpty());
  }

  // ---- losing the connection ----

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void doesNotReconnectAfterTheServerRemovesIt(ClientTransport transport) throws InterruptedException {
    Recorder<DisconnectReason> disconnects = recorder();
    TimerLog time = new TimerLog();
    ParleyClient client = connect(builder(transport, app.directUrl()).scheduler(time).reconnect(FAST)
        .onDisconnect(disconnects));

    client.emit("kick");

    // The client decides before it tells the listeners: had it scheduled an attempt, the timer would be there.
    assertThat(disconnects.next()).isEqualTo(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    time.advanceTimeBy(Duration.ofMinutes(1));
    assertThat(time.delays()).doesNotContain(FAST.initialDelay());
    await().atMost(WAIT).until(() -> app.server.namespace().channels().isEmpty());
    assertThat(client.isConnected()).isFalse();
    assertThat(app.handshakes.get()).isEqualTo(1);
    assertThat(disconnects.isEmpty()).isTrue();
  }

  @Test
  void overSseARefusalForNowIsTriedAgain() throws InterruptedException {
    // 503 (shutting down) or 429 (a limit) say "not now": the client keeps its backoff going. Over
    // WebSocket a CONNECT_ERROR carries no kind, and any refusal stops the reconnecting.
    TimerLog time = new TimerLog();
    Recorder<ParleyException> failures = recorder();
    Recorder<String> connects = recorder();
    connect(builder(ClientTransport.SSE, app.proxiedUrl()).scheduler(time).reconnect(FAST)
        .onConnect(() -> connects.accept("connect")).onReconnectFailed(failures));
    assertThat(connects.next()).isEqualTo("connect");

    app.refuseAs.set(Refusal.SHUTTING_DOWN);
    app.refuseAll.set(true);
    app.proxy.dropAll();
    time.next(FAST.initialDelay());
    time.advanceTimeBy(FAST.initialDelay());
    TimerLog.Timer second = time.next(FAST.initialDelay().multipliedBy(2));
    app.refuseAll.set(false);
    time.advanceTimeBy(FAST.initialDelay().multipliedBy(2));

    assertThat(second.hasFired()).isTrue();
    assertThat(connects.next()).isEqualTo("connect");
    assertThat(failures.isEmpty()).isTrue();
    assertThat(app.handshakes.get()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void stopsReconnectingWhenTheServerRefuses(ClientTransport transport) throws InterruptedException {
    Recorder<ParleyException> failures = recorder();
    TimerLog time = new TimerLog();
    ParleyClient client = connect(builder(transport, app.proxiedUrl()).scheduler(time).reconnect(FAST)
        .onReconnectFailed(failures));

    app.refuseAll.set(true);
    app.proxy.dropAll();
    time.next(FAST.initialDelay());
    time.advanceTimeBy(FAST.initialDelay());

    assertThat(failures.next())
        .isInstanceOf(ConnectionRejectedException.class)
        .hasMessage("closed for maintenance");
    assertThat(client.isConnected()).isFalse();
    // No second attempt: its delay would be twice the first.
    time.advanceTimeBy(Duration.ofMinutes(1));
    assertThat(time.delays()).doesNotContain(FAST.initialDelay().multipliedBy(2));
    assertThat(app.handshakes.get()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void givesUpAfterMaxAttempts(ClientTransport transport) throws Exception {
    Recorder<ParleyException> failures = recorder();
    ParleyClient client = connect(builder(transport, app.proxiedUrl()).reconnect(FAST.withMaxAttempts(3))
        .onReconnectFailed(failures));

    app.proxy.close();

    assertThat(failures.next())
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("after 3 attempts");
    assertThat(client.isConnected()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void reconnectAttemptsFollowTheBackoffDelays(ClientTransport transport) throws Exception {
    TimerLog time = new TimerLog();
    Recorder<DisconnectReason> disconnects = recorder();
    Recorder<ParleyException> failures = recorder();
    ParleyClient client = connect(builder(transport, app.proxiedUrl()).scheduler(time)
        // Short: Tyrus notices a connection closed before its upgrade answer only when this runs out, in real
        // time (15 s of the build with 5 s), while the backoff runs on virtual time.
        .connectTimeout(Duration.ofMillis(500))
        .reconnect(new Reconnect(Duration.ofSeconds(1), Duration.ofSeconds(3), 2.0, 0.0, 3))
        .onDisconnect(disconnects).onReconnectFailed(failures));

    app.proxy.refuse(true);
    app.proxy.dropAll();
    assertThat(disconnects.next()).isIn(DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.TRANSPORT_ERROR);

    // Attempt n waits for its delay (1 s, 2 s, then 3 s: capped), and no longer; each is refused at once.
    for (Duration delay : List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3))) {
      TimerLog.Timer backoff = time.next(delay);
      time.advanceTimeBy(delay.minusMillis(1));
      assertThat(backoff.hasFired()).isFalse();
      time.advanceTimeBy(Duration.ofMillis(1));
      assertThat(backoff.hasFired()).isTrue();
      // The attempt starts: its wait for the CONNECT answer (the connect timeout) is scheduled first.
      assertThat(time.next(Duration.ofMillis(500)).hasFired()).isFalse();
    }

    assertThat(failures.next())
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("after 3 attempts");
    assertThat(client.isConnected()).isFalse();
    client.close();
    assertThat(time.isDisposed()).as("a scheduler the client was given is not the client's to dispose").isFalse();
  }

  // ---- resources ----

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void closeReleasesEveryThreadTheClientStarted(ClientTransport transport) throws Exception {
    ParleyClient client = builder(transport, app.proxiedUrl()).reconnect(FAST).connect();
    Recorder<String> connects = recorder();
    client.onConnect(() -> connects.accept("again"));
    client.emitWithAck("echo", "x").block(WAIT);
    app.proxy.dropAll();
    assertThat(connects.next()).isEqualTo("again");
    client.emitWithAck("echo", "y").block(WAIT);
    assertThat(clientThreads()).isNotEmpty();

    client.close();
    client.close();

    assertThat(clientThreads()).isEmpty();
    assertThat(client.isConnected()).isFalse();
    assertThatThrownBy(() -> client.emit("echo"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    await().atMost(WAIT).until(() -> app.server.namespace().channels().isEmpty());
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void closeFromAHandlerDoesNotDeadlock(ClientTransport transport) throws InterruptedException {
    Recorder<DisconnectReason> disconnects = recorder();
    ParleyClient client = connect(builder(transport, app.directUrl()).onDisconnect(disconnects));
    client.on("bounced", event -> client.close());

    client.emit("bounce", "bye");

    assertThat(disconnects.next()).isEqualTo(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
    await().atMost(WAIT).until(() -> clientThreads().isEmpty());
  }
}
