package dev.parley.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ServerStats;
import dev.parley.host.jetty.JettyHostConfig;
import dev.parley.transport.sse.SseTransportConfig;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Clients that leave without a word: a TCP reset, a half-open connection that only the heartbeat finds
 * out, and connections that never finish their handshake. Each time the node ends up holding nothing
 * ({@code ChatServer.stats()} all zero). Pings every 300 ms with 300 ms to answer (where the heartbeat is
 * what should end them), SSE heartbeats every 200 ms, a 1 s connect timeout and a 1 s idle timeout on the
 * host keep the waits short.
 */
class AbruptDisconnectTest {
  private static final int CLIENTS = 20;
  private static final Duration PING_INTERVAL = Duration.ofMillis(300);
  private static final Duration PING_TIMEOUT = Duration.ofMillis(300);
  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<Socket> sockets = new ArrayList<>();
  private LeakApp app;

  /** Starts the node; {@code shortPings} or Socket.IO's default heartbeat (25 s, 20 s to answer). */
  private void start(boolean shortPings) {
    WebSocketTransportConfig.Builder websocket = WebSocketTransportConfig.builder();
    if (shortPings) {
      websocket.pingInterval(PING_INTERVAL).pingTimeout(PING_TIMEOUT);
    }
    app = LeakApp.start(websocket.build(),
        SseTransportConfig.builder().heartbeatInterval(Duration.ofMillis(200)).build(),
        JettyHostConfig.builder().idleTimeout(IDLE_TIMEOUT).build(),
        c -> c.connectTimeout(CONNECT_TIMEOUT));
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    if (app != null) {
      app.close();
    }
  }

  @Test
  void webSocketClientsEndingWithATcpResetLeaveNothing() throws Exception {
    // The default heartbeat: nothing but the reset can end these connections within the test.
    start(false);
    List<RawSocketIo> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      RawSocketIo client = RawSocketIo.open(app.address()).connect();
      clients.add(client);
      assertThat(client.emitWithAck("[\"join\",\"" + LeakApp.room(i) + "\"]")).isEqualTo("[\"ok\"]");
      assertThat(client.emitWithAck("[\"post\",\"" + LeakApp.room(i) + "\",{\"n\":" + i + "}]"))
          .doesNotContain("error");
    }
    ServerStats busy = app.server.stats();
    assertThat(busy.channels()).isEqualTo(CLIENTS);
    assertThat(busy.transports()).containsEntry("websocket.sockets", CLIENTS);
    assertThat(busy.timers()).as("the sockets' heartbeat timer, one for all").isGreaterThanOrEqualTo(1);
    assertThat(busy.addresses()).as("127.0.0.1").isEqualTo(1);

    for (RawSocketIo client : clients) {
      client.reset();
    }

    app.awaitIdle();
  }

  @Test
  void sseStreamsEndingWithATcpResetLeaveNothing() throws Exception {
    start(false);
    List<Socket> streams = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      Socket stream = track(RawSocketIo.rawTcp(app.address(), "GET /sse/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Accept: text/event-stream\r\n\r\n"));
      JsonNode session = readSessionEvent(stream);
      assertThat(post(session, "join", "[\"" + LeakApp.room(i) + "\"]")).isEqualTo("[\"ok\"]");
      streams.add(stream);
    }
    ServerStats busy = app.server.stats();
    assertThat(busy.channels()).isEqualTo(CLIENTS);
    assertThat(busy.transports()).containsEntry("sse.streams", CLIENTS);
    assertThat(busy.addresses()).as("127.0.0.1").isEqualTo(1);

    for (Socket stream : streams) {
      RawSocketIo.reset(stream);
    }

    // Nothing is read from a stream's socket: the reset shows when a heartbeat cannot be written.
    app.awaitIdle();
  }

  @Test
  void halfOpenWebSocketIsClosedByTheHeartbeat() throws Exception {
    start(true);
    List<RawSocketIo> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      RawSocketIo client = RawSocketIo.open(app.address()).connect();
      clients.add(client);
      // The ack shows the client had a channel in a room; from then on it neither reads nor answers pings,
      // and keeps its socket open (the first ones may be closed before the last one has joined).
      assertThat(client.emitWithAck("[\"join\",\"" + LeakApp.room(i) + "\"]")).isEqualTo("[\"ok\"]");
    }

    app.awaitIdle();

    for (RawSocketIo client : clients) {
      assertThat(client.awaitServerClose(Duration.ofSeconds(10))).as("closed by the server").isTrue();
      client.close();
    }
  }

  @Test
  void webSocketThatAnswersPingsButNeverConnectsIsClosedAfterTheConnectTimeout() throws Exception {
    start(true);
    List<RawSocketIo> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(RawSocketIo.open(app.address()));
    }
    ServerStats open = app.server.stats();
    assertThat(open.sessions()).isEqualTo(CLIENTS);
    assertThat(open.channels()).isZero();
    assertThat(open.roomMemberships()).isZero();

    long start = System.nanoTime();
    for (RawSocketIo client : clients) {
      assertThat(client.answerPingsUntilClosed(CONNECT_TIMEOUT.plusSeconds(10))).as("closed by the server").isTrue();
      client.close();
    }
    // Several heartbeats were answered meanwhile: the connect timeout, not the heartbeat, closed them.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(PING_INTERVAL.plus(PING_TIMEOUT));
    app.awaitIdle();
  }

  @Test
  void partialHttpRequestsHoldNothingAndAreClosedByTheIdleTimeout() throws Exception {
    start(false);
    List<Socket> partial = new ArrayList<>();
    for (int i = 0; i < CLIENTS / 2; i++) {
      partial.add(track(RawSocketIo.rawTcp(app.address(),
          "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")));
      partial.add(track(RawSocketIo.rawTcp(app.address(), "GET /sse/ HTTP/1.1\r\nAccept: text/ev")));
    }

    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> app.server.stats().isIdle());

    for (Socket socket : partial) {
      assertThat(endOfStream(socket, IDLE_TIMEOUT.plusSeconds(10))).as("closed by the host").isTrue();
    }
    assertThat(app.server.stats().isIdle()).isTrue();
  }

  private Socket track(Socket socket) {
    sockets.add(socket);
    return socket;
  }

  /** Reads the stream's response up to its {@code parley:session} event and returns the event's data. */
  private static JsonNode readSessionEvent(Socket stream) throws IOException {
    stream.setSoTimeout(20_000);
    InputStream in = stream.getInputStream();
    StringBuilder text = new StringBuilder();
    byte[] buffer = new byte[4096];
    for (;;) {
      int start = text.indexOf("event: parley:session\ndata: ");
      if (start >= 0) {
        int from = start + "event: parley:session\ndata: ".length();
        int end = text.indexOf("\n", from);
        if (end > 0) {
          return JSON.readTree(text.substring(from, end));
        }
      }
      int n = in.read(buffer);
      if (n < 0) {
        throw new IOException("the stream ended before its session event: " + text);
      }
      text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
    }
  }

  private String post(JsonNode session, String event, String args) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(app.url() + "/sse/?sid=" + session.path("session")
            .asString()))
        .header("Content-Type", "application/json").header("X-Parley-Token", session.path("token").asString())
        .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"" + event + "\",\"args\":" + args + ",\"ack\":true}"))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("POST %s: %s", event, response.body()).isEqualTo(200);
    return response.body();
  }

  /** Whether the peer ends the connection (end of stream or reset) within {@code limit}; what it sends is skipped. */
  private static boolean endOfStream(Socket socket, Duration limit) throws IOException {
    socket.setSoTimeout((int) limit.toMillis());
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[1024];
    try {
      while (in.read(buffer) >= 0) {
        // An error answer (such as 408) may come first.
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
