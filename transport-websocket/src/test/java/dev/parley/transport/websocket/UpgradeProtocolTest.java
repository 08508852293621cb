package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Engine.IO v4's upgrade from long-polling to WebSocket by hand: polling with HttpClient, the probe with the JDK's
 * WebSocket client, each step's answer checked.
 */
class UpgradeProtocolTest {
  private static final String RS = PollingClient.RS;
  private static final Duration WAIT = PollingClient.WAIT;
  private static final int COUNT = 300;

  private ChatServer server;
  private String base;
  private PollingClient client;

  @BeforeEach
  void start() {
    start(WebSocketTransportConfig.defaults());
  }

  private void start(WebSocketTransportConfig config) {
    server = SocketIoTestApp.start(config, b -> { });
    base = SocketIoTestApp.url(server) + "/socket.io/?EIO=4&transport=";
    client = new PollingClient(SocketIoTestApp.url(server));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String sid) throws Exception {
    return client.get(sid);
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String sid) {
    return client.getAsync(sid);
  }

  private HttpResponse<String> post(String sid, String body) throws Exception {
    return client.post(sid, body);
  }

  // A session connected to the main namespace, offered the upgrade.
  private String connected() throws Exception {
    String open = client.open();
    assertThat(open).contains("\"upgrades\":[\"websocket\"]");
    return client.joined(PollingClient.sid(open));
  }

  private List<String> receive(String sid, int count) throws Exception {
    return client.receive(sid, count);
  }

  private Probe probe(String sid) throws Exception {
    Probe probe = new Probe();
    probe.socket = client.http().newWebSocketBuilder().connectTimeout(WAIT)
        .buildAsync(URI.create(base.replace("http", "ws") + "websocket&sid=" + sid), probe)
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    return probe;
  }

  @Test
  void upgradeStepByStep() throws Exception {
    String sid = connected();
    CompletableFuture<HttpResponse<String>> held = getAsync(sid);
    Probe probe = probe(sid);
    probe.send("2probe");
    assertThat(probe.next()).isEqualTo("3probe");
    assertThat(held.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).body()).isEqualTo("6");
    probe.send("5");
    probe.send("421[\"echo\",{\"a\":1}]");
    assertThat(probe.nextMessage()).isEqualTo("431[{\"a\":1}]");
    HttpResponse<String> refused = get(sid);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
    // A second WebSocket for the upgraded session is refused as for an unknown one.
    assertThatThrownBy(() -> probe(sid)).hasCauseInstanceOf(WebSocketHandshakeException.class)
        .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
            .isEqualTo(400));
    probe.socket.sendClose(WebSocket.NORMAL_CLOSURE, "");
  }

  @Test
  void withUpgradesTurnedOffNoneIsOfferedAndAWebSocketWithAPollingSidIsRefused() throws Exception {
    server.close();
    start(WebSocketTransportConfig.builder().allowUpgrades(false).build());
    String open = client.open();
    assertThat(open).contains("\"upgrades\":[]");
    String sid = client.joined(PollingClient.sid(open));
    assertThat(client.upgrade(sid)).startsWith("HTTP/1.1 400").endsWith("\n{\"code\":3,\"message\":\"Bad request\"}");
    assertThat(server.stats().transports()).containsEntry("websocket.sockets", 0);
    // The session carries on over polling.
    assertThat(post(sid, "421[\"echo\",{\"a\":1}]").body()).isEqualTo("ok");
    assertThat(receive(sid, 1)).containsExactly("431[{\"a\":1}]");
    assertThat(client.upgrade("no-such-session")).endsWith("\n{\"code\":1,\"message\":\"Session ID unknown\"}");
  }

  @Test
  void aSecondWebSocketDuringAProbeIsRefusedBeforeItsUpgrade() throws Exception {
    String sid = connected();
    Probe probe = probe(sid);
    assertThat(client.upgrade(sid)).as("before the first socket's 2probe")
        .isEqualTo("HTTP/1.1 400 Bad Request\n{\"code\":3,\"message\":\"Bad request\"}");
    probe.send("2probe");
    assertThat(probe.next()).isEqualTo("3probe");
    assertThat(client.upgrade(sid)).as("during the probe").endsWith("\n{\"code\":3,\"message\":\"Bad request\"}");
    probe.send("5");
    probe.send("421[\"echo\",1]");
    assertThat(probe.nextMessage()).as("the first socket upgrades undisturbed").isEqualTo("431[1]");
    assertThat(server.stats().transports()).containsEntry("websocket.sockets", 1);
    probe.socket.sendClose(WebSocket.NORMAL_CLOSURE, "");
  }

  @Test
  void aProbeThatClosesBeforeTheUpgradeLeavesTheSessionOnPolling() throws Exception {
    String sid = connected();
    Probe probe = probe(sid);
    probe.send("2probe");
    assertThat(probe.next()).isEqualTo("3probe");
    probe.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(probe.closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
    assertThat(post(sid, "421[\"echo\",{\"a\":1}]").body()).isEqualTo("ok");
    assertThat(receive(sid, 1)).containsExactly("431[{\"a\":1}]");
    // Probed again once the first socket has gone (and with it its claim), it upgrades.
    await().atMost(WAIT).until(() -> server.stats().transports().get("websocket.sockets") == 0);
    Probe again = probe(sid);
    again.send("2probe");
    assertThat(again.next()).isEqualTo("3probe");
    again.send("5");
    again.send("421[\"echo\",2]");
    assertThat(again.nextMessage()).isEqualTo("431[2]");
  }

  @Test
  void aSequenceEmittedWhileTheClientUpgradesArrivesOnceInOrder() throws Exception {
    String sid = connected();
    assertThat(post(sid, "42[\"burst\"," + COUNT + "]").body()).isEqualTo("ok");
    List<String> got = new ArrayList<>(receive(sid, 1));
    Probe probe = probe(sid);
    CompletableFuture<HttpResponse<String>> held = getAsync(sid);
    probe.send("2probe");
    assertThat(probe.next()).isEqualTo("3probe");
    for (String packet : held.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).body().split(RS)) {
      if (packet.startsWith("42")) {
        got.add(packet);
      }
    }
    probe.send("5");
    while (got.size() < COUNT) {
      got.add(probe.nextMessage());
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      expected.add("42[\"n\"," + i + "]");
    }
    assertThat(got).containsExactlyElementsOf(expected);
  }

  /** The JDK WebSocket client's frames, as they come. */
  private static final class Probe implements WebSocket.Listener {
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        frames.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    void send(String text) throws Exception {
      socket.sendText(text, true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    String next() throws Exception {
      String frame = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(frame).as("a frame within %s", WAIT).isNotNull();
      return frame;
    }

    // The next frame that is not a ping (answered with a pong).
    String nextMessage() throws Exception {
      String frame = next();
      while (frame.equals("2")) {
        send("3");
        frame = next();
      }
      return frame;
    }
  }
}
