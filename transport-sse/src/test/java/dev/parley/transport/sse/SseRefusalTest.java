package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.error.ConnectionRejectedException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A refused stream is answered with the status of the refusal's kind, whatever its message or data says:
 * unauthorized 401, rejected 403, no such namespace 404, a failing middleware 500.
 */
class SseRefusalTest {
  private final HttpClient http = SseTestClient.newHttpClient();
  private ChatServer server;

  @BeforeEach
  void start() {
    server = SseTestApp.start(SseTransportConfig.defaults(), b -> b.use(handshake -> {
      String kind = handshake.query("refuse").orElse("");
      switch (kind) {
        // The message and data say nothing about the status: the kind alone decides it.
        case "unauthorized" -> throw ConnectionRejectedException.unauthorized("who are you", null);
        case "rejected" -> throw new ConnectionRejectedException("Invalid namespace",
            JsonNodeFactory.instance.objectNode().put("status", 401));
        case "failed" -> throw new IllegalStateException("middleware bug");
        default -> {
          return handshake;
        }
      }
    }));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anUnauthorizedRefusalIs401() throws Exception {
    HttpResponse<String> answer = get(SseTestApp.stream(server, "lobby", "refuse=unauthorized"));
    assertThat(answer.statusCode()).isEqualTo(401);
    assertThat(SseTestClient.MAPPER.readTree(answer.body()))
        .isEqualTo(SseTestClient.MAPPER.readTree("{\"error\":\"who are you\"}"));
  }

  @Test
  void aRejectionIs403EvenWithAStatusInItsDataOrTheTextOfAnotherKind() throws Exception {
    HttpResponse<String> answer = get(SseTestApp.stream(server, "lobby", "refuse=rejected"));
    assertThat(answer.statusCode()).isEqualTo(403);
    assertThat(SseTestClient.MAPPER.readTree(answer.body())).isEqualTo(SseTestClient.MAPPER.readTree(
        "{\"error\":\"Invalid namespace\",\"data\":{\"status\":401}}"));
  }

  @Test
  void aFailingMiddlewareIs500() throws Exception {
    HttpResponse<String> answer = get(SseTestApp.stream(server, "lobby", "refuse=failed"));
    assertThat(answer.statusCode()).isEqualTo(500);
    assertThat(SseTestClient.MAPPER.readTree(answer.body()))
        .isEqualTo(SseTestClient.MAPPER.readTree("{\"error\":\"internal server error\"}"));
  }

  @Test
  void anUnknownNamespaceIs404() throws Exception {
    HttpResponse<String> answer = get(SseTestApp.stream(server, "lobby", "ns=/nope"));
    assertThat(answer.statusCode()).isEqualTo(404);
    assertThat(SseTestClient.MAPPER.readTree(answer.body()))
        .isEqualTo(SseTestClient.MAPPER.readTree("{\"error\":\"Invalid namespace\"}"));
  }

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).header("Accept", "text/event-stream")
        .timeout(SseTestClient.TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}
