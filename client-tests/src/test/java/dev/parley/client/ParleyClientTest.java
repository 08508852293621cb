package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.error.ChannelClosedException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The client over WebSocket against a real Parley server (embedded Jetty, WebSocket transport) on
 * 127.0.0.1: what is particular to that mode; what both modes share is in {@link TransportParityTest}.
 */
class ParleyClientTest extends ClientTestSupport {
  private ClientTestApp app;

  @BeforeEach
  void start() throws IOException {
    app = track(new ClientTestApp());
  }

  private ParleyClient connect(URI url) {
    return connect(ParleyClient.builder(url));
  }

  // ---- connecting ----

  @Test
  void ackResultsArriveOnTheControlThreadAndMayBeAwaitedInAHandler() throws Exception {
    ParleyClient client = connect(app.directUrl());
    Recorder<String> awaited = recorder();
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
    Recorder<ClientEvent> welcome = events();
    Recorder<String> connected = recorder();
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

  // ---- messaging ----

  @Test
  void receivesRoomBroadcastAndDirectMessage() throws InterruptedException {
    Recorder<ClientEvent> atA = events();
    Recorder<ClientEvent> atB = events();
    Recorder<ClientEvent> direct = events();
    Recorder<ClientEvent> welcomes = events();
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
  void binaryTravelsBothWays() throws InterruptedException {
    Recorder<ClientEvent> bytes = events();
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
    Recorder<DisconnectReason> disconnects = recorder();
    Recorder<String> connects = recorder();
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
    // The server noticed the drop long before the reconnect, and kept the session for it.
    assertThat(client.recovered()).isTrue();
    assertThat(client.id()).isEqualTo(firstId);
    assertThat(client.emitWithAck("echo", "again").block(WAIT).arg(0, String.class)).isEqualTo("again");
    assertThat(app.proxy.accepted()).isEqualTo(2);
  }

  @Test
  void staysDisconnectedWhenReconnectIsOff() throws InterruptedException {
    TimerLog time = new TimerLog();
    Recorder<DisconnectReason> disconnects = recorder();
    ParleyClient client = connect(ParleyClient.builder(app.proxiedUrl()).scheduler(time).reconnect(Reconnect.off())
        .onDisconnect(disconnects));

    client.emit("drop-me");

    // The client decides before it tells the listeners: had it scheduled an attempt, the timer would be there.
    assertThat(disconnects.next()).isIn(DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.TRANSPORT_ERROR);
    assertThat(client.isConnected()).isFalse();
    time.advanceTimeBy(Duration.ofMinutes(1));
    assertThat(time.delays()).doesNotContain(Reconnect.defaults().initialDelay(), FAST.initialDelay());
    assertThat(app.proxy.accepted()).isEqualTo(1);
  }

  @Test
  void reconnectsAfterHeartbeatsStop() throws Exception {
    // The watchdog and the backoff run on virtual time; the server's pings (every 25 s) never come.
    WebSocketTransportConfig heartbeat = WebSocketTransportConfig.defaults();
    Duration limit = heartbeat.pingInterval().plus(heartbeat.pingTimeout());
    ClientTestApp quiet = track(new ClientTestApp(heartbeat));
    TimerLog time = new TimerLog();
    Recorder<DisconnectReason> disconnects = recorder();
    ParleyClient client = connect(ParleyClient.builder(quiet.proxiedUrl()).scheduler(time).reconnect(FAST)
        .onDisconnect(disconnects));
    String firstId = client.id();
    TimerLog.Timer watchdog = time.next(limit);

    quiet.proxy.silenceAll();
    time.advanceTimeBy(limit.minusMillis(1));
    assertThat(watchdog.hasFired()).isFalse();
    assertThat(client.isConnected()).isTrue();
    time.advanceTimeBy(Duration.ofMillis(1));

    assertThat(disconnects.next()).isEqualTo(DisconnectReason.PING_TIMEOUT);
    TimerLog.Timer backoff = time.next(FAST.initialDelay());
    time.advanceTimeBy(FAST.initialDelay());
    assertThat(backoff.hasFired()).isTrue();
    await().atMost(WAIT).until(client::isConnected);
    // The server may or may not have seen the old connection go: recovered exactly when the id is kept.
    assertThat(client.id().equals(firstId)).isEqualTo(client.recovered());
    assertThat(client.emitWithAck("echo", 1).block(WAIT).arg(0, Integer.class)).isEqualTo(1);
    assertThat(quiet.proxy.accepted()).isEqualTo(2);
  }

  @Test
  void eachPingRestartsTheWatchdog() throws Exception {
    // The server pings in real time (every 300 ms); the client's watchdog runs on virtual time.
    ClientTestApp quick = track(new ClientTestApp(WebSocketTransportConfig.builder()
        .pingInterval(Duration.ofMillis(300)).pingTimeout(Duration.ofMillis(500)).build()));
    TimerLog time = new TimerLog();
    Recorder<DisconnectReason> disconnects = recorder();
    ParleyClient client = connect(ParleyClient.builder(quick.proxiedUrl()).scheduler(time).reconnect(Reconnect.off())
        .onDisconnect(disconnects));
    Duration limit = Duration.ofMillis(800);

    TimerLog.Timer armedAtOpen = time.next(limit);
    TimerLog.Timer armedByPing = time.next(limit);
    await().atMost(WAIT).until(armedAtOpen::isCancelled);
    assertThat(armedByPing.hasFired()).isFalse();
    assertThat(client.isConnected()).isTrue();

    quick.proxy.silenceAll();
    time.advanceTimeBy(limit);

    assertThat(disconnects.next()).isEqualTo(DisconnectReason.PING_TIMEOUT);
    assertThat(armedAtOpen.hasFired()).isFalse();
    assertThat(client.isConnected()).isFalse();
  }

  @Test
  void answersPingsAndStaysConnected() throws Exception {
    // The wire: the server closes a client that does not answer a ping within 750 ms. The client's own
    // watchdog is on a virtual clock that never moves, so only the server can end the connection here.
    ClientTestApp quick = track(new ClientTestApp(WebSocketTransportConfig.builder()
        .pingInterval(Duration.ofMillis(150)).pingTimeout(Duration.ofMillis(600)).build()));
    Recorder<DisconnectReason> disconnects = recorder();
    ParleyClient client = connect(ParleyClient.builder(quick.directUrl()).scheduler(new TimerLog())
        .onDisconnect(disconnects));
    String id = client.id();

    // Ten ping intervals.
    await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() -> client.isConnected() && id.equals(client.id()));
    assertThat(disconnects.isEmpty()).isTrue();
  }

  @Test
  void doesNotReconnectAfterDisconnect() throws InterruptedException {
    TimerLog time = new TimerLog();
    Recorder<DisconnectReason> disconnects = recorder();
    ParleyClient client = connect(ParleyClient.builder(app.proxiedUrl()).scheduler(time).reconnect(FAST)
        .onDisconnect(disconnects));

    client.disconnect();

    assertThat(disconnects.next()).isEqualTo(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
    assertThat(client.isConnected()).isFalse();
    assertThat(client.id()).isNull();
    assertThatThrownBy(() -> client.emit("echo"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("disconnected");
    await().atMost(WAIT).until(() -> app.server.namespace().channels().isEmpty());
    time.advanceTimeBy(Duration.ofMinutes(1));
    assertThat(time.delays()).doesNotContain(FAST.initialDelay());
    assertThat(app.proxy.accepted()).isEqualTo(1);
    assertThat(client.isConnected()).isFalse();
    client.disconnect();
    assertThat(disconnects.isEmpty()).isTrue();
  }
}
