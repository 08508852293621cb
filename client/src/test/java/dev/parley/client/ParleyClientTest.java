package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.DisconnectReason;
import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.error.ParleyException;
import dev.parley.error.TransportException;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** The client against a real Parley server (embedded Jetty, WebSocket transport) on 127.0.0.1. */
class ParleyClientTest {
  private static final Duration WAIT = Recorder.WAIT;
  /** Quick, predictable reconnection for tests. */
  private static final Reconnect FAST = new Reconnect(Duration.ofMillis(50), Duration.ofMillis(400), 2.0, 0.0,
      Reconnect.UNLIMITED);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private ClientTestApp app;

  @BeforeEach
  void start() throws IOException {
    app = track(new ClientTestApp());
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  private ParleyClient connect(ParleyClient.Builder builder) {
    return track(builder.connect());
  }

  private ParleyClient connect(URI url) {
    return connect(ParleyClient.builder(url));
  }

  /**
   * The threads of every client in this JVM: those named with the client's prefix, and any the WebSocket
   * library names itself (Grizzly's selector threads; Tyrus's {@code tyrus-N-thread-M} pools, which the client
   * should not start at all). Every test closes its clients, so none should be left between tests.
   */
  private static List<String> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith(ParleyClient.THREAD_NAME_PREFIX) || name.startsWith("tyrus-")
            || name.contains("Grizzly"))
        .toList();
  }

  // ---- connecting ----

  @Test
  void connectsAndEchoesWithAck() {
    ParleyClient client = connect(app.directUrl());

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

  @Test
  void ackResultsArriveOnTheControlThreadAndMayBeAwaitedInAHandler() throws Exception {
    ParleyClient client = connect(app.directUrl());
    Recorder<String> awaited = new Recorder<>();
    client.on("bounced", event -> awaited.accept(client.emitWithAck("echo", "inner").block(WAIT).arg(0, String.class)));

    // Subscribed before the reply exists: it arrives on the control thread. (A later subscriber gets the
    // cached reply on its own thread.)
    var held = client.emitWithAck("hold").map(reply -> Thread.currentThread().getName()).toFuture();
    client.emit("release");
    client.emit("bounce");

    assertThat(held.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .startsWith(ParleyClient.THREAD_NAME_PREFIX).contains("-control-");
    assertThat(awaited.next()).isEqualTo("inner");
  }

  @Test
  void sendsAuthAndHeadersInTheHandshake() {
    ParleyClient client = connect(ParleyClient.builder(app.directUrl())
        .auth(Map.of("token", "good", "user", "ada"))
        .header("X-Test", "yes"));

    ClientReply reply = client.emitWithAck("whoami").block(WAIT);

    assertThat(reply.arg(0, String.class)).isEqualTo(client.id());
    assertThat(reply.arg(1).path("user").asString()).isEqualTo("ada");
    assertThat(reply.arg(2, String.class)).isEqualTo("yes");
  }

  @Test
  void builderHandlerSeesTheEventSentOnConnection() throws InterruptedException {
    Recorder<ClientEvent> welcome = Recorder.events();
    Recorder<String> connected = new Recorder<>();
    ParleyClient client = connect(ParleyClient.builder(app.directUrl())
        .on("welcome", welcome::accept)
        .onConnect(() -> connected.accept("connected")));

    assertThat(connected.next()).isEqualTo("connected");
    ClientEvent event = welcome.next();
    assertThat(event.name()).isEqualTo("welcome");
    assertThat(event.arg(0, String.class)).isEqualTo(client.id());
    assertThat(event.wantsAck()).isFalse();
    assertThat(welcome.lastThread()).startsWith(ParleyClient.THREAD_NAME_PREFIX).contains("-events-");
  }

  @Test
  void middlewareRejectionSurfacesAsConnectionRejected() {
    assertThatThrownBy(() -> connect(ParleyClient.builder(app.directUrl()).auth(Map.of("token", "bad"))))
        .isInstanceOfSatisfying(ConnectionRejectedException.class, e -> {
          assertThat(e).hasMessage("not authorized");
          assertThat(e.data()).isNotNull();
          assertThat(e.data().path("reason").asString()).isEqualTo("token");
        });
    assertThat(clientThreads()).isEmpty();
  }

  @Test
  void unknownNamespaceIsRejected() {
    assertThatThrownBy(() -> connect(ParleyClient.builder(app.directUrl()).namespace("/nowhere")))
        .isInstanceOf(ConnectionRejectedException.class)
        .hasMessage("Invalid namespace");
  }

  @Test
  void nothingListeningIsATransportException() throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    assertThatThrownBy(() -> connect(URI.create("http://127.0.0.1:" + port)))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("could not connect to ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket");
    assertThat(clientThreads()).isEmpty();
  }

  @Test
  void wrongPathIsATransportExceptionWithTheHttpStatus() {
    assertThatThrownBy(() -> connect(ParleyClient.builder(app.directUrl()).path("/elsewhere/")))
        .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.closeCode()).isEqualTo(404));
  }

  // ---- messaging ----

  @Test
  void receivesRoomBroadcastAndDirectMessage() throws InterruptedException {
    Recorder<ClientEvent> atA = Recorder.events();
    Recorder<ClientEvent> atB = Recorder.events();
    Recorder<ClientEvent> direct = Recorder.events();
    Recorder<ClientEvent> welcomes = Recorder.events();
    ParleyClient a = connect(ParleyClient.builder(app.directUrl()).on("broadcast", atA::accept)
        .on("dm", direct::accept).on("welcome", welcomes::accept));
    ParleyClient b = connect(ParleyClient.builder(app.directUrl()).on("broadcast", atB::accept)
        .on("welcome", welcomes::accept));
    welcomes.next();
    welcomes.next();

    a.emit("shout", "hi all");
    assertThat(atA.next().arg(0, String.class)).isEqualTo("hi all");
    assertThat(atB.next().arg(0, String.class)).isEqualTo("hi all");

    b.emit("dm", a.id(), Map.of("text", "psst"));
    assertThat(direct.next().arg(0).path("text").asString()).isEqualTo("psst");
  }

  @Test
  void handlersRunInArrivalOrderOnTheEventThread() throws InterruptedException {
    Recorder<ClientEvent> received = Recorder.events();
    ParleyClient client = connect(ParleyClient.builder(app.directUrl()).on("bounced", received::accept));

    for (int i = 0; i < 50; i++) {
      client.emit("bounce", i);
    }
    for (int i = 0; i < 50; i++) {
      assertThat(received.next().arg(0, Integer.class)).isEqualTo(i);
      assertThat(received.lastThread()).startsWith(ParleyClient.THREAD_NAME_PREFIX).contains("-events-");
    }
  }

  @Test
  void binaryTravelsBothWays() throws InterruptedException {
    Recorder<ClientEvent> bytes = Recorder.events();
    ParleyClient client = connect(ParleyClient.builder(app.directUrl()).on("bytes", bytes::accept));

    ClientReply reversed = client.emitWithAck("reverse", (Object) new byte[] {1, 2, 3, 4}).block(WAIT);
    assertThat(reversed.bytes(0)).containsExactly(4, 3, 2, 1);

    ClientReply nested = client.emitWithAck("echo", Map.of("file", new byte[] {9, 8}), "plain").block(WAIT);
    assertThat(nested.arg(0).get("file").binaryValue()).containsExactly(9, 8);
    assertThat(nested.arg(1, String.class)).isEqualTo("plain");

    client.emit("send-bytes");
    ClientEvent event = bytes.next();
    assertThat(event.arg(0, String.class)).isEqualTo("label");
    assertThat(event.bytes(1)).containsExactly(1, 2, 3, (byte) 255);
  }

  @Test
  void connectsToASecondNamespace() {
    ParleyClient admin = connect(ParleyClient.builder(app.directUrl()).namespace("/admin"));

    ClientReply reply = admin.emitWithAck("whoami").block(WAIT);

    assertThat(admin.namespace()).isEqualTo("/admin");
    assertThat(reply.arg(0, String.class)).isEqualTo("/admin");
    assertThat(reply.arg(1, String.class)).isEqualTo(admin.id());
  }

  @Test
  void answersTheServersAck() throws InterruptedException {
    Recorder<ClientEvent> answers = Recorder.events();
    AtomicReference<Boolean> wanted = new AtomicReference<>();
    ParleyClient client = connect(ParleyClient.builder(app.directUrl())
        .on("answer", answers::accept)
        .on("question", event -> {
          wanted.set(event.wantsAck());
          event.ack("forty-two about " + event.arg(0, String.class));
        }));

    client.emit("ask", "life");

    assertThat(answers.next().arg(0, String.class)).isEqualTo("forty-two about life");
    assertThat(wanted.get()).isTrue();
  }

  @Test
  void ackTimesOutAfterTheConfiguredDelay() {
    ParleyClient client = connect(ParleyClient.builder(app.directUrl()).ackTimeout(Duration.ofMillis(300)));

    StepVerifier.create(client.emitWithAck("silence", "anyone?"))
        .expectErrorSatisfies(e -> {
          assertThat(e).isInstanceOf(AckTimeoutException.class);
          assertThat(((AckTimeoutException) e).event()).isEqualTo("silence");
          assertThat(((AckTimeoutException) e).timeout()).isEqualTo(Duration.ofMillis(300));
        })
        .verify(WAIT);
    StepVerifier.create(client.emitWithAck(Duration.ofMillis(100), "silence"))
        .expectError(AckTimeoutException.class)
        .verify(WAIT);
    assertThat(client.isConnected()).isTrue();
  }

  @Test
  void pendingAckFailsWhenTheClientDisconnects() {
    ParleyClient client = connect(app.directUrl());
    String id = client.id();

    var reply = client.emitWithAck("silence");
    client.disconnect();

    StepVerifier.create(reply)
        .expectErrorSatisfies(e -> {
          assertThat(e).isInstanceOf(ChannelClosedException.class).hasMessageContaining(id);
          assertThat(((ChannelClosedException) e).reason()).isEqualTo(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
        })
        .verify(WAIT);
  }

  @Test
  void rejectsReservedAndInvalidEventNames() {
    ParleyClient client = connect(app.directUrl());

    assertThatThrownBy(() -> client.emit("disconnect"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> client.on("connect", event -> { }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("onConnect");
    assertThatThrownBy(() -> client.emit("a\nb"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("control characters");
    assertThatThrownBy(() -> client.emit("echo", new Object() {
      @SuppressWarnings("unused")
      public Object getSelf() {
        throw new IllegalStateException("not serialisable");
      }
    })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("argument 0 of event \"echo\"");
  }

  @Test
  void refusesAPacketOverTheServersMaxPayload() throws Exception {
    ClientTestApp small = track(new ClientTestApp(WebSocketTransportConfig.builder().maxPayload(2_048).build()));
    ParleyClient client = connect(small.directUrl());

    assertThatThrownBy(() -> client.emit("echo", "x".repeat(4_000)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("over the server's maxPayload of 2048 bytes");
    assertThat(client.emitWithAck("echo", "small").block(WAIT).arg(0, String.class)).isEqualTo("small");
  }

  // ---- losing the connection ----

  @Test
  void reconnectsByItselfAfterTheServerDropsTheConnection() throws InterruptedException {
    Recorder<DisconnectReason> disconnects = new Recorder<>();
    Recorder<String> connects = new Recorder<>();
    AtomicReference<Throwable> emitWhileDown = new AtomicReference<>();
    ParleyClient[] holder = new ParleyClient[1];
    ParleyClient client = connect(ParleyClient.builder(app.proxiedUrl())
        .reconnect(FAST.withDelays(Duration.ofMillis(500), Duration.ofSeconds(1)))
        .onConnect(() -> connects.accept("connect"))
        .onDisconnect(reason -> {
          try {
            holder[0].emit("echo", "too early");
          } catch (RuntimeException e) {
            emitWhileDown.set(e);
          }
          disconnects.accept(reason);
        }));
    holder[0] = client;
    assertThat(connects.next()).isEqualTo("connect");
    String firstId = client.id();

    var pendingReply = client.emitWithAck("silence");
    client.emit("drop-me");

    assertThat(disconnects.next()).isIn(DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.TRANSPORT_ERROR);
    assertThat(emitWhileDown.get())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("reconnecting")
        .hasMessageContaining("fail fast");
    StepVerifier.create(pendingReply).expectError(ChannelClosedException.class).verify(WAIT);

    assertThat(connects.next()).isEqualTo("connect");
    assertThat(client.isConnected()).isTrue();
    assertThat(client.id()).isNotNull().isNotEqualTo(firstId);
    assertThat(client.emitWithAck("echo", "again").block(WAIT).arg(0, String.class)).isEqualTo("again");
    assertThat(app.proxy.accepted()).isEqualTo(2);
  }

  @Test
  void staysDisconnectedWhenReconnectIsOff() throws InterruptedException {
    Recorder<DisconnectReason> disconnects = new Recorder<>();
    ParleyClient client = connect(ParleyClient.builder(app.proxiedUrl()).reconnect(Reconnect.off())
        .onDisconnect(disconnects));

    client.emit("drop-me");

    assertThat(disconnects.next()).isIn(DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.TRANSPORT_ERROR);
    assertThat(client.isConnected()).isFalse();
    await().during(Duration.ofMillis(400)).atMost(WAIT).until(() -> app.proxy.accepted() == 1);
  }

  @Test
  void reconnectsAfterHeartbeatsStop() throws Exception {
    ClientTestApp quick = track(new ClientTestApp(WebSocketTransportConfig.builder()
        .pingInterval(Duration.ofMillis(300)).pingTimeout(Duration.ofMillis(500)).build()));
    Recorder<DisconnectReason> disconnects = new Recorder<>();
    ParleyClient client = connect(ParleyClient.builder(quick.proxiedUrl()).reconnect(FAST)
        .onDisconnect(disconnects));
    String firstId = client.id();

    quick.proxy.silenceAll();

    assertThat(disconnects.next()).isEqualTo(DisconnectReason.PING_TIMEOUT);
    await().atMost(WAIT).until(client::isConnected);
    assertThat(client.id()).isNotEqualTo(firstId);
    assertThat(client.emitWithAck("echo", 1).block(WAIT).arg(0, Integer.class)).isEqualTo(1);
  }

  @Test
  void answersPingsAndStaysConnected() throws Exception {
    ClientTestApp quick = track(new ClientTestApp(WebSocketTransportConfig.builder()
        .pingInterval(Duration.ofMillis(150)).pingTimeout(Duration.ofMillis(600)).build()));
    Recorder<DisconnectReason> disconnects = new Recorder<>();
    ParleyClient client = connect(ParleyClient.builder(quick.directUrl()).onDisconnect(disconnects));
    String id = client.id();

    // Ten ping intervals: the server closes a client that does not answer after 750 ms.
    await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() -> client.isConnected() && id.equals(client.id()));
    assertThat(disconnects.isEmpty()).isTrue();
  }

  @Test
  void doesNotReconnectAfterDisconnect() throws InterruptedException {
    Recorder<DisconnectReason> disconnects = new Recorder<>();
    ParleyClient client = connect(ParleyClient.builder(app.proxiedUrl()).reconnect(FAST).onDisconnect(disconnects));

    client.disconnect();

    assertThat(disconnects.next()).isEqualTo(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
    assertThat(client.isConnected()).isFalse();
    assertThat(client.id()).isNull();
    assertThatThrownBy(() -> client.emit("echo"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("disconnected");
    await().atMost(WAIT).until(() -> app.server.namespace().channels().isEmpty());
    await().during(Duration.ofMillis(600)).atMost(WAIT).until(() -> app.proxy.accepted() == 1 && !client.isConnected());
    client.disconnect();
    assertThat(disconnects.isEmpty()).isTrue();
  }

  @Test
  void doesNotReconnectAfterTheServerRemovesIt() throws InterruptedException {
    Recorder<DisconnectReason> disconnects = new Recorder<>();
    ParleyClient client = connect(ParleyClient.builder(app.proxiedUrl()).reconnect(FAST).onDisconnect(disconnects));

    client.emit("kick");

    assertThat(disconnects.next()).isEqualTo(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    await().during(Duration.ofMillis(600)).atMost(WAIT).until(() -> app.proxy.accepted() == 1 && !client.isConnected());
  }

  @Test
  void stopsReconnectingWhenTheServerRefuses() throws InterruptedException {
    Recorder<ParleyException> failures = new Recorder<>();
    ParleyClient client = connect(ParleyClient.builder(app.proxiedUrl()).reconnect(FAST)
        .onReconnectFailed(failures));

    app.refuseAll.set(true);
    client.emit("drop-me");

    assertThat(failures.next())
        .isInstanceOf(ConnectionRejectedException.class)
        .hasMessage("closed for maintenance");
    assertThat(client.isConnected()).isFalse();
    await().during(Duration.ofMillis(400)).atMost(WAIT).until(() -> app.proxy.accepted() == 2);
  }

  @Test
  void givesUpAfterMaxAttempts() throws Exception {
    Recorder<ParleyException> failures = new Recorder<>();
    ParleyClient client = connect(ParleyClient.builder(app.proxiedUrl()).reconnect(FAST.withMaxAttempts(3))
        .onReconnectFailed(failures));

    app.proxy.close();

    assertThat(failures.next())
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("after 3 attempts");
    assertThat(client.isConnected()).isFalse();
  }

  // ---- resources ----

  @Test
  void closeReleasesEveryThreadTheClientStarted() throws Exception {
    ParleyClient client = ParleyClient.builder(app.proxiedUrl()).reconnect(FAST).connect();
    Recorder<String> connects = new Recorder<>();
    client.onConnect(() -> connects.accept("again"));
    client.emitWithAck("echo", "x").block(WAIT);
    client.emit("drop-me");
    assertThat(connects.next()).isEqualTo("again");
    assertThat(clientThreads()).isNotEmpty();

    client.close();
    client.close();

    assertThat(clientThreads()).isEmpty();
    assertThat(client.isConnected()).isFalse();
    assertThatThrownBy(() -> client.emit("echo"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void closeFromAHandlerDoesNotDeadlock() throws InterruptedException {
    Recorder<DisconnectReason> disconnects = new Recorder<>();
    ParleyClient client = connect(ParleyClient.builder(app.directUrl()).onDisconnect(disconnects));
    client.on("bounced", event -> client.close());

    client.emit("bounce", "bye");

    assertThat(disconnects.next()).isEqualTo(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
    await().atMost(WAIT).until(() -> clientThreads().isEmpty());
  }
}
