package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the POST side of SSE, each with the answer the README's "Hostile input" table gives, and in
 * every case nothing reaches any session's handlers: a {@code record} handler notes each event it gets.
 */
class SseHostileInputTest {
  private final HttpClient http = SseTestClient.newHttpClient();
  private final Queue<String> handled = new ConcurrentLinkedQueue<>();
  private final List<SseTestClient> clients = new java.util.ArrayList<>();
  private ChatServer server;

  @BeforeEach
  void start() {
    server = SseTestApp.start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build(),
        b -> b.onConnection(channel -> channel.on("record",
            (ch, event) -> handled.add(ch.id() + ":" + event.arg(0, String.class)))));
  }

  @AfterEach
  void stop() {
    clients.forEach(SseTestClient::close);
    server.close();
  }

  private SseTestClient open() throws Exception {
    SseTestClient client = SseTestClient.open(http, SseTestApp.stream(server, "hostile"));
    clients.add(client);
    client.sync();
    return client;
  }

  private static HttpResponse<String> post(SseTestClient via, String sid, String token) throws Exception {
    return via.send(via.postRequest(SseTestClient.body("record", false, "forged"))
        .uri(via.postUri(sid)).setHeader("X-Parley-Token", token));
  }

  @Test
  void forgedTokenAndATokenOfAnotherSessionAre403AndReachNoHandler() throws Exception {
    SseTestClient a = open();
    SseTestClient b = open();
    assertThat(post(a, a.sessionId(), "forged").statusCode()).isEqualTo(403);
    assertThat(post(a, a.sessionId(), a.token().substring(1)).statusCode()).isEqualTo(403);
    // Session A's token with session B's id, and the other way round.
    assertThat(post(a, b.sessionId(), a.token()).statusCode()).isEqualTo(403);
    assertThat(post(b, a.sessionId(), b.token()).statusCode()).isEqualTo(403);

    // Handlers of one channel run in order and a 204 comes once they have returned: had any forged post got
    // through, it would be in the queue ahead of these.
    assertThat(a.emit("record", "a-genuine").statusCode()).isEqualTo(204);
    assertThat(b.emit("record", "b-genuine").statusCode()).isEqualTo(204);
    assertThat(handled).containsExactlyInAnyOrder(a.channelId() + ":a-genuine", b.channelId() + ":b-genuine");
  }

  @Test
  void tokenReplayedAfterItsStreamClosedIs404AndANewStreamRefusesIt() throws Exception {
    SseTestClient first = open();
    String oldSession = first.sessionId();
    String oldToken = first.token();
    first.close();
    // The server learns of the close when a write fails; until then the stream and its token are live.
    await().atMost(SseTestClient.TIMEOUT).until(() -> {
      server.to("hostile").emit("poke");
      return first.send(first.postRequest(SseTestClient.body("noop", false))).statusCode() == 404;
    });
    HttpResponse<String> afterClose = post(first, oldSession, oldToken);
    assertThat(afterClose.statusCode()).isEqualTo(404);
    assertThat(afterClose.body()).isEqualTo("{\"error\":\"unknown or closed session\"}");

    SseTestClient second = open();
    assertThat(second.sessionId()).isNotEqualTo(oldSession);
    assertThat(second.token()).isNotEqualTo(oldToken);
    HttpResponse<String> replayed = post(second, second.sessionId(), oldToken);
    assertThat(replayed.statusCode()).isEqualTo(403);
    assertThat(replayed.body()).isEqualTo("{\"error\":\"wrong token for this session\"}");

    assertThat(second.emit("record", "genuine").statusCode()).isEqualTo(204);
    assertThat(handled).containsExactly(second.channelId() + ":genuine");
  }

  @Test
  void reservedEventNamesAre400AndReachNoHandler() throws Exception {
    SseTestClient client = open();
    for (String reserved : List.of("connect", "connect_error", "disconnect", "disconnecting", "newListener",
        "removeListener")) {
      HttpResponse<String> response = client.emit(reserved, "x");
      assertThat(response.statusCode()).as(reserved).isEqualTo(400);
      assertThat(response.body()).contains("invalid event name");
    }
    assertThat(client.emit("record", "after").statusCode()).isEqualTo(204);
    assertThat(handled).containsExactly(client.channelId() + ":after");
    assertThat(client.ended()).isNotDone();
  }
}
