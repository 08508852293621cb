package dev.parley.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testsupport.QueuedEventStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The Boot example as a browser meets it: the page, the served client, a signed-in chat over SSE, health. */
class SpringBootChatAppTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private static ConfigurableApplicationContext app;
  private static String base;

  @BeforeAll
  static void start() {
    app = SpringApplication.run(SpringBootChatApp.class, "--server.address=127.0.0.1", "--server.port=0",
        "--spring.main.banner-mode=off");
    base = "http://127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void servesThePageAndTheSocketIoClientOnBootsPort() throws Exception {
    HttpResponse<String> page = get("/", "text/html");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<script src=\"/socket.io/socket.io.js\"></script>");
    HttpResponse<String> client = get("/socket.io/socket.io.js", "*/*");
    assertThat(client.statusCode()).isEqualTo(200);
    assertThat(client.headers().firstValue("Content-Type").orElse("")).contains("javascript");
  }

  @Test
  void aSignedInUserChatsOverSseAndAStrangerIsRefused() throws Exception {
    HttpResponse<String> stranger = get("/sse/general", "text/event-stream");
    assertThat(stranger.statusCode()).isEqualTo(401);

    QueuedEventStream stream = new QueuedEventStream();
    HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base + "/sse/general")).header("Accept", "text/event-stream")
        .header("Cookie", "nick=ann").build(), HttpResponse.BodyHandlers.fromLineSubscriber(stream));
    try {
      JsonNode session = JSON.readTree(stream.next("parley:session").data());
      HttpResponse<String> posted = HTTP.send(HttpRequest.newBuilder(
              URI.create(base + "/sse/general?sid=" + session.path("session").asString()))
          .header("Content-Type", "application/json").header("X-Parley-Token", session.path("token").asString())
          .header("Cookie", "nick=ann")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"event\":\"chat\",\"args\":[{\"room\":\"general\",\"text\":\"hello from boot\"}],\"ack\":true}"))
          .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
      assertThat(posted.body()).doesNotContain("error");
      assertThat(stream.next("chat").data()).contains("hello from boot").contains("ann");
    } finally {
      stream.cancel();
    }

    JsonNode health = JSON.readTree(get("/actuator/health", "application/json").body());
    assertThat(health.path("components").path("parley").path("status").asString()).as(health.toString())
        .isEqualTo("UP");
  }

  private static HttpResponse<String> get(String path, String accept) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", accept).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
