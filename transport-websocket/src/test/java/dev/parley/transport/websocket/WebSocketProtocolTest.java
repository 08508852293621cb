package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.protocol.DisconnectReason;
import dev.parley.testsupport.RawSocket;
import dev.parley.testsupport.Timeouts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Engine.IO / Socket.IO edge cases with a bare WebSocket: each bad input closes only its connection. */
class WebSocketProtocolTest {
  private ChatServer server;

  private String start(WebSocketTransportConfig config) {
    server = SocketIoTestApp.start(config, b -> { });
    return SocketIoTestApp.url(server);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static RawSocket connected(String url) throws InterruptedException {
    return connected(url, false);
  }

  private static RawSocket connected(String url, boolean autoPong) throws InterruptedException {
    RawSocket raw = RawSocket.open(url, autoPong);
    assertThat(raw.next()).startsWith("0{\"sid\":");
    raw.send("40");
    assertThat(raw.next()).startsWith("40{\"sid\":");
    return raw;
  }

  @Test
  void openPacketCarriesTheConfiguredSettings() throws Exception {
    String url = start(WebSocketTransportConfig.builder().pingInterval(Duration.ofSeconds(7))
        .pingTimeout(Duration.ofSeconds(3)).maxPayload(4096).build());
    RawSocket raw = RawSocket.open(url);
    String open = raw.next();
    assertThat(open).matches("0\\{\"sid\":\"[A-Za-z0-9_-]{20}\",\"upgrades\":\\[\\],\"pingInterval\":7000,"
        + "\"pingTimeout\":3000,\"maxPayload\":4096}");
  }

  @Test
  void anUnknownTransportGetsTheProtocolErrorAnswer() throws Exception {
    String url = start(WebSocketTransportConfig.defaults());
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(url + "/socket.io/?EIO=4&transport=jsonp")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    assertThat(response.body()).isEqualTo("{\"code\":0,\"message\":\"Transport unknown\"}");
  }

  @Test
  void crossSiteWebSocketHijackingGets403BeforeTheUpgrade() throws Exception {
    String url = start(WebSocketTransportConfig.defaults());
    CompletableFuture<java.net.http.WebSocket> attempt = HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Origin", "http://evil.example")
        .buildAsync(URI.create(url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"),
            new java.net.http.WebSocket.Listener() { });
    try {
      attempt.orTimeout(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS).join();
      throw new AssertionError("the upgrade should have been refused");
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
      int status = ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
      assertThat(status).isEqualTo(403);
    }
    assertThat(server.namespace().channels()).isEmpty();
  }

  @Test
  void sameHostOriginIsAllowed() throws Exception {
    String url = start(WebSocketTransportConfig.defaults());
    CompletableFuture<String> first = new CompletableFuture<>();
    java.net.http.WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Origin", url)
        .buildAsync(URI.create(url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"),
            new java.net.http.WebSocket.Listener() {
              @Override
              public CompletionStage<?> onText(java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
                first.complete(data.toString());
                return null;
              }
            })
        .orTimeout(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS)
        .join();
    // Allowed means served: the Engine.IO open packet comes.
    assertThat(first.orTimeout(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS).join()).startsWith("0{\"sid\":");
    socket.abort();
  }

  @Test
  void badInputClosesOnlyTheOffendingConnection() throws Exception {
    String url = start(WebSocketTransportConfig.defaults());
    RawSocket bystander = connected(url);
    for (String bad : List.of("4{not json", "9", "49[\"x\"]", "42[42]", "43999[\"never issued\"]", "")) {
      RawSocket raw = connected(url);
      raw.send(bad);
      assertThat(raw.closeCode(10)).as("close code for %s", bad).isEqualTo(1002);
    }
    RawSocket orphan = connected(url);
    orphan.sendBinary(new byte[] {1, 2});
    assertThat(orphan.closeCode(10)).as("binary frame with no pending attachment").isEqualTo(1002);

    bystander.send("42[\"echo\"]");
    bystander.send("421[\"echo\",\"still here\"]");
    assertThat(bystander.next()).isEqualTo("431[\"still here\"]");
    assertThat(bystander.isClosed()).isFalse();
  }

  @Test
  void frameAboveMaxPayloadClosesWith1009() throws Exception {
    String url = start(WebSocketTransportConfig.builder().maxPayload(2048).build());
    RawSocket raw = connected(url);
    raw.send("42[\"echo\",\"" + "x".repeat(4096) + "\"]");
    assertThat(raw.closeCode(10)).isEqualTo(1009);
  }

  @Test
  void clientThatStopsAnsweringPingsIsDisconnected() throws Exception {
    AtomicReference<DisconnectReason> reason = new AtomicReference<>();
    server = SocketIoTestApp.start(WebSocketTransportConfig.builder().pingInterval(Duration.ofMillis(300))
        .pingTimeout(Duration.ofMillis(300)).build(),
        b -> b.onConnection(ch -> ch.onDisconnect().subscribe(reason::set)));
    String url = SocketIoTestApp.url(server);
    RawSocket answering = connected(url, true);
    RawSocket silent = connected(url);
    // One timer beats for every session of the transport, none of its own per connection.
    assertThat(server.stats().timers()).as("timers with two sessions").isEqualTo(1);
    long start = System.nanoTime();
    assertThat(silent.next()).isEqualTo("2");
    assertThat(silent.closeCode(5)).isEqualTo(1001);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    await().atMost(Duration.ofSeconds(5)).until(() -> reason.get() == DisconnectReason.PING_TIMEOUT);

    await().atMost(Timeouts.STEP).until(() -> answering.pongs() >= 4);
    assertThat(answering.isClosed()).isFalse();
    // And it stops with the last session.
    answering.close();
    await().atMost(Timeouts.STEP).until(() -> server.stats().timers() == 0);
  }
}
