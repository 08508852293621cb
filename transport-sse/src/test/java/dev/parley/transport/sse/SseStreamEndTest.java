package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream's token dies with the stream, and the engine's session with it, the moment the transport knows
 * the stream has ended: when the server ends it, at once; when the client goes away without a word, at the
 * write that finds it gone (the Servlet API tells of a closed connection only when something is written to
 * it).
 */
class SseStreamEndTest {
  private final HttpClient http = SseTestClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private ChatServer server;

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    server.close();
  }

  private void start(Duration heartbeat) {
    server = SseTestApp.start(SseTransportConfig.builder().heartbeatInterval(heartbeat).build(),
        b -> b.onConnection(channel -> channel.on("leave", (ch, event) -> ch.disconnect())));
  }

  private SseTestClient open() throws Exception {
    SseTestClient client = SseTestClient.open(http, SseTestApp.stream(server, "end"));
    toClose.add(client);
    client.sync();
    return client;
  }

  private static void assertClosedSession(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).isEqualTo("{\"error\":\"unknown or closed session\"}");
  }

  @Test
  void whenTheServerEndsTheStreamItsTokenIs404AndItsSessionGoneBeforeTheClientSeesTheEnd() throws Exception {
    start(Duration.ofHours(1));
    SseTestClient leaving = open();
    SseTestClient staying = open();
    assertThat(server.stats().sessions()).isEqualTo(2);

    assertThat(leaving.emit("leave").statusCode()).isEqualTo(204);
    leaving.next("parley:disconnect");
    leaving.ended().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    // No grace, no heartbeat: the token and the session were gone before the response ended.
    assertClosedSession(leaving.emit("echo", "too late"));
    assertThat(server.stats().sessions()).isEqualTo(1);
    assertThat(server.stats().transports()).containsEntry("sse.streams", 1);

    staying.sync();
    staying.close();
  }

  @Test
  void whenTheClientClosesTheStreamItsTokenAndSessionEndTogetherAtTheNextWrites() throws Exception {
    start(Duration.ofMillis(100));
    SseTestClient client = open();
    SseTestClient other = open();
    client.close();
    // Two heartbeats at most: the first write after the client left still reaches the kernel, and draws
    // the reset that makes the next one fail.
    await().atMost(SseTestClient.TIMEOUT).pollInterval(Duration.ofMillis(20))
        .until(() -> client.emit("echo", "after close").statusCode() == 404);
    assertClosedSession(client.emit("echo", "after close"));
    await().atMost(Duration.ofSeconds(1)).until(() -> server.stats().sessions() == 1);
    other.sync();
    other.close();
    await().atMost(SseTestClient.TIMEOUT).until(() -> server.stats().isIdle());
  }
}
