package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.testsupport.HostileBodies;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import tools.jackson.databind.JsonNode;

/**
 * The POST decoder's property over real HTTP: whatever the body, the answer is one the README defines
 * (200 or 204, 400 with a JSON error, 429 when rate-limited, 504 for an ack that never came), never a 500,
 * and the server keeps serving. Fewer tries than the decoder's own properties: each is a request.
 */
class SsePostPropertiesTest {
  private static final HttpClient HTTP = SseTestClient.newHttpClient();
  private static ChatServer server;
  private static SseTestClient client;

  @BeforeContainer
  static void start() {
    server = SseTestApp.start(SseTransportConfig.builder().maxPostBody(64 * 1024)
        .postAckTimeout(Duration.ofMillis(200)).heartbeatInterval(Duration.ofHours(1)).build());
  }

  @AfterContainer
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

  @Property(tries = 150)
  void everyBodyGetsADefinedAnswer(@ForAll("bodies") String body) throws Exception {
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

  @Provide
  Arbitrary<String> bodies() {
    return Arbitraries.oneOf(HostileBodies.mutated(),
        Arbitraries.strings().withChars(HostileBodies.TRICKY).ofMaxLength(120).map(s -> "{" + s));
  }
}
