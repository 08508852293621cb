package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.testsupport.RawSocket;
import dev.parley.testsupport.Timeouts;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Limits over SSE, on the real host: streams count with WebSockets against the connections one address
 * may hold, and posts beyond a channel's event rate get 429.
 */
class SseLimitsTest {
  private final HttpClient http = SseTestClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private ChatServer server;

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    toClose.clear();
    if (server != null) {
      server.close();
    }
  }

  @Test
  void streamsAndWebSocketsOfOneAddressShareItsLimitAndEveryEndFreesAPlace() throws Exception {
    // A stream whose client went away is noticed at the next write: the heartbeat is kept short.
    server = SseTestApp.start(SseTransportConfig.builder().heartbeatInterval(Duration.ofMillis(200)).build(),
        b -> b.transport(new WebSocketTransport(WebSocketTransportConfig.defaults()))
            .config(c -> c.maxConnectionsPerAddress(2)));
    SseTestClient stream = open();
    RawSocket socket = RawSocket.connect(http, SseTestApp.url(server), "{}");
    toClose.add(socket);

    HttpResponse<String> refused = http.send(HttpRequest.newBuilder(SseTestApp.stream(server, "lobby"))
        .header("Accept", "text/event-stream").timeout(SseTestClient.TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
        assertThat(type.toLowerCase(Locale.ROOT)).startsWith("application/json"));
    assertThat(refused.body()).isEqualTo("{\"error\":\"too many connections from this address\"}");
    assertThat(webSocketUpgradeStatus()).isEqualTo(429);

    // The client closes its stream: the place is free again once the server has noticed (at a heartbeat).
    stream.close();
    SseTestClient second = awaitOpen();

    // The WebSocket drops; then streams that middleware refuses each take the free place and give it back.
    socket.close();
    for (int i = 0; i < 3; i++) {
      await().atMost(Timeouts.STEP).pollInterval(Duration.ofMillis(50)).until(() -> rejectedStatus() == 401);
    }
    // A POST holds a place of its address while its body is read: one is free for it here.
    second.sync();
    SseTestClient third = awaitOpen();
    assertThat(webSocketUpgradeStatus()).isEqualTo(429);
    server.to("lobby").emit("both", "streams");
    assertThat(second.next("both").data()).isEqualTo("\"streams\"");
    assertThat(third.next("both").data()).isEqualTo("\"streams\"");
  }

  @Test
  void postsBeyondTheEventRateGet429AndTheStreamStays() throws Exception {
    server = SseTestApp.start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build(),
        b -> b.config(c -> c.maxEventsPerSecond(1).maxEventBurst(3)));
    // The stream's CONNECT takes one event of the burst: two are left.
    SseTestClient client = open();
    assertThat(client.emit("echo", "one").statusCode()).isEqualTo(200);
    assertThat(client.emit("echo", "two").statusCode()).isEqualTo(200);

    // One more event per second refills: within a few posts, one is over the budget.
    HttpResponse<String> limited = null;
    for (int i = 0; i < 10 && limited == null; i++) {
      HttpResponse<String> response = client.emit("echo", i);
      if (response.statusCode() != 200) {
        limited = response;
      }
    }

    assertThat(limited).isNotNull();
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.body()).isEqualTo("{\"error\":\"rate limited\"}");
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    // The budget refills (1 per second) and the same session is served again.
    await().atMost(Timeouts.STEP).pollInterval(Duration.ofMillis(200))
        .until(() -> client.emit("echo", "again").statusCode() == 200);
    assertThat(client.ended()).isNotDone();
  }

  private SseTestClient open() throws Exception {
    SseTestClient client = SseTestClient.open(http, SseTestApp.stream(server, "lobby"));
    toClose.add(client);
    return client;
  }

  private SseTestClient awaitOpen() {
    AtomicReference<SseTestClient> opened = new AtomicReference<>();
    await().atMost(Timeouts.STEP).pollInterval(Duration.ofMillis(50)).until(() -> {
      SseTestClient client = SseTestClient.connect(http, SseTestApp.stream(server, "lobby"), true)
          .get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      toClose.add(client);
      if (client.statusCode() != 200) {
        assertThat(client.statusCode()).isEqualTo(429);
        return false;
      }
      opened.set(client.awaitSession());
      return true;
    });
    return opened.get();
  }

  /** The status of a stream request that middleware refuses (401), unless the address is full (429). */
  private int rejectedStatus() throws Exception {
    int status = http.send(HttpRequest.newBuilder(SseTestApp.stream(server, "lobby", "token=bad"))
        .header("Accept", "text/event-stream").timeout(SseTestClient.TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
    assertThat(status).isIn(401, 429);
    return status;
  }

  /** 101 if a WebSocket upgrade succeeds (the socket is then dropped at once), else the refusal's status. */
  private int webSocketUpgradeStatus() {
    URI uri = URI.create(SseTestApp.url(server).replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket");
    try {
      WebSocket socket = http.newWebSocketBuilder().connectTimeout(SseTestClient.TIMEOUT)
          .buildAsync(uri, new WebSocket.Listener() { })
          .orTimeout(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
      socket.abort();
      return 101;
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(WebSocketHandshakeException.class);
      return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
    }
  }
}
