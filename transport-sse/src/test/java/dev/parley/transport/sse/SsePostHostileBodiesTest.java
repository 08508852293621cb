package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.testsupport.HostileBodies;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The POST decoder over real HTTP: whatever the body, the answer is one the README defines (200 or 204, 400
 * with a JSON error, 429 when rate-limited, 504 for an ack that never came), never a 500, and the server keeps
 * serving. Hand-made hostile bodies, fewer than the decoder's own cases: each is a request. The fuzz test
 * (internal.PostBodyFuzzTest) feeds the decoder any body, without HTTP.
 */
class SsePostHostileBodiesTest {
  private static final HttpClient HTTP = SseTestClient.newHttpClient();
  private static ChatServer server;
  private static SseTestClient client;

  @BeforeAll
  static void start() {
    server = SseTestApp.start(SseTransportConfig.builder().maxPostBody(64 * 1024)
        .postAckTimeout(Duration.ofMillis(200)).heartbeatInterval(Duration.ofHours(1)).build());
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** The stream to post to; a new one after a body closed the last (an answer to an ack never asked). */
  private static SseTestClient client() throws Exception {
    if (client == null || client.ended().isDone()) {
      if (client != null) {
        client.close();
      }
      client = SseTestClient.open(HTTP, SseTestApp.stream(server, "properties"));
    }
    return client;
  }

  @ParameterizedTest
  @MethodSource("bodies")
  void everyBodyGetsADefinedAnswer(String body) throws Exception {
    SseTestClient poster = client();
    HttpResponse<String> response = poster.post(body);
    int status = response.statusCode();
    if (status == 404) {
      // Only an answer to an ack id the server never issued ends the stream (and so the session).
      assertThat(poster.ended()).as("404 for a live session: %s", body).isDone();
      return;
    }
    assertThat(status).as("status for %s", body).isIn(200, 204, 400, 429, 504);
    if (status >= 400) {
      assertThat(response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT))
          .startsWith("application/json");
      JsonNode error = SseTestClient.MAPPER.readTree(response.body()).path("error");
      assertThat(error.isString() && !error.asString().isBlank()).as(response.body()).isTrue();
    }
  }

  /** Every 6th of the mutated bodies, and an object opened on each rotation of the tricky characters. */
  static List<String> bodies() {
    List<String> out = new ArrayList<>();
    List<String> mutated = HostileBodies.mutated();
    for (int k = 0; k < mutated.size(); k += 6) {
      out.add(mutated.get(k));
    }
    String tricky = HostileBodies.TRICKY;
    for (int k = 0; k < tricky.length(); k += 3) {
      out.add("{" + tricky.substring(k) + tricky.substring(0, k));
    }
    return out;
  }
}
