package dev.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.testsupport.QueuedEventStream;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The starter in a real Boot application on a random port of Boot's own servlet container: the official
 * socket.io-client (Node, long-polling then WebSocket) and an EventSource-style stream with POSTs (JDK
 * HttpClient) chat through it; Actuator shows the Parley health component and info; the meters move; closing
 * the context lets an in-flight post finish. Subclasses choose the container.
 */
abstract class StarterScenario {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private ConfigurableApplicationContext context;
  private String base;

  /** Properties that choose the container, added to the test's own. */
  abstract String[] containerProperties();

  /** The web server's class name must contain this. */
  abstract String containerName();

  @BeforeEach
  void startApplication() {
    context = new SpringApplicationBuilder(ChatTestApplication.class)
        .properties("server.address=127.0.0.1", "server.port=0",
            "management.endpoints.web.exposure.include=health,info",
            "management.endpoint.health.show-details=always",
            "management.info.env.enabled=false",
            "parley.shutdown-timeout=5s",
            "parley.cluster.heartbeat=2s", "parley.cluster.node-timeout=7s", "parley.cluster.timeout=3s",
            // A stream the client dropped is noticed at the next write: a heartbeat a second.
            "parley.sse.heartbeat-interval=1s",
            "spring.main.banner-mode=off")
        .properties(containerProperties())
        .run();
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    base = "http://127.0.0.1:" + port;
    assertThat(((WebServerApplicationContext) context).getWebServer().getClass().getName())
        .contains(containerName());
  }

  @AfterEach
  void closeApplication() {
    if (context != null) {
      context.close();
    }
  }

  @Test
  void socketIoAndSseClientsChatOnBootsPortWithHealthInfoAndMeters() throws Exception {
    MeterRegistry meters = context.getBean(MeterRegistry.class);
    SseStream stream = SseStream.open(http, base + "/sse/lobby?ns=/");
    try (NodeChatClient node = new NodeChatClient(base + "/")) {
      // Long-polling first, then the upgrade, which may end before or after the namespace's CONNECT.
      JsonNode first = node.expect(line -> line.has("connected") || line.has("upgraded"), WAIT);
      JsonNode second = node.expect(line -> line.has("connected") || line.has("upgraded"), WAIT);
      assertThat(List.of(first, second)).anyMatch(line -> line.has("connected"))
          .anyMatch(line -> "websocket".equals(line.path("upgraded").asString()));

      node.emit("chat", "from node");
      assertThat(node.expect(line -> line.has("ack"), WAIT).get("ack").get(0).asString()).isEqualTo("ok:from node");
      assertThat(stream.next("chat").data()).isEqualTo("\"from node\"");

      HttpResponse<String> posted = stream.post("{\"event\":\"chat\",\"args\":[\"from sse\"],\"ack\":true}");
      assertThat(posted.statusCode()).isEqualTo(200);
      assertThat(posted.body()).isEqualTo("[\"ok:from sse\"]");
      JsonNode received = node.expect(line -> "chat".equals(line.path("event").asString())
          && "from sse".equals(line.path("args").path(0).asString()), WAIT);
      assertThat(received).isNotNull();

      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(meters.get("parley.connections.opened").tag("transport", "sse").counter().count()).isEqualTo(1);
        assertThat(meters.get("parley.events.received").tag("namespace", "/").counter().count()).isEqualTo(2);
        assertThat(meters.get("parley.channels").gauge().value()).isEqualTo(2);
      });

      JsonNode health = getJson("/actuator/health");
      assertThat(health.path("status").asString()).as(health.toString()).isEqualTo("UP");
      JsonNode parley = health.path("components").path("parley");
      assertThat(parley.path("status").asString()).as(health.toString()).isEqualTo("UP");
      assertThat(parley.path("details").path("store").path("store").asString()).isEqualTo("memory");
      assertThat(parley.path("details").path("channels").asInt()).isEqualTo(2);

      JsonNode info = getJson("/actuator/info").path("parley");
      assertThat(info.path("version").asString()).matches("\\d+\\.\\d+\\.\\d+.*");
      assertThat(info.path("nodeId").asString()).isEqualTo(context.getBean(ChatServer.class).config().nodeId());
      ChatServerConfig config = context.getBean(ChatServer.class).config();
      assertThat(List.of(config.clusterHeartbeat(), config.clusterNodeTimeout(), config.clusterTimeout()))
          .as("parley.cluster.*").containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(7), Duration.ofSeconds(3));
      assertThat(info.path("transports").toString()).contains("websocket").contains("sse");
    }
    stream.close();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(meters.get("parley.connections.closed").counters().stream().mapToDouble(c -> c.count()).sum())
          .isEqualTo(2);
      assertThat(meters.get("parley.channels").gauge().value()).isZero();
    });
  }

  @Test
  void handlerAndMiddlewareBeansServeTheirNamespace() throws Exception {
    HttpResponse<Void> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/sse/x?ns=/ops"))
        .header("Accept", "text/event-stream").timeout(WAIT).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(refused.statusCode()).isIn(401, 403);
    try (NodeChatClient ops = new NodeChatClient(base + "/ops", "{\"role\":\"ops\"}")) {
      ops.expect(line -> line.has("connected"), WAIT);
      ops.emit("whoami");
      assertThat(ops.expect(line -> line.has("ack"), WAIT).get("ack").get(0).asString()).isEqualTo("/ops");
    }
    try (NodeChatClient stranger = new NodeChatClient(base + "/ops")) {
      assertThat(stranger.expect(line -> line.has("connectError"), WAIT).get("connectError").asString())
          .isEqualTo("ops only");
    }
  }

  @Test
  void closingTheContextLetsAnInFlightPostFinish() throws Exception {
    ChatTestApplication.Gate gate = context.getBean(ChatTestApplication.Gate.class);
    ChatServer server = context.getBean(ChatServer.class);
    SseStream stream = SseStream.open(http, base + "/sse/lobby?ns=/");
    CompletableFuture<HttpResponse<String>> slow = stream.postAsync("{\"event\":\"slow\",\"args\":[],\"ack\":true}");
    assertThat(gate.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
    await().atMost(WAIT).until(() -> !server.isRunning());
    assertThat(slow).isNotDone();
    gate.open.countDown();

    HttpResponse<String> answer = slow.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("[\"finished\"]");
    closing.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
    assertThat(stream.next("parley:disconnect")).isNotNull();
    assertThat(context.isActive()).isFalse();
    context = null;
  }

  private JsonNode getJson(String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** An event stream as a browser's EventSource opens it, and the POSTs that go with it. */
  private static final class SseStream extends QueuedEventStream {
    private final HttpClient http;
    private final String base;
    private String session;
    private String token;

    private SseStream(HttpClient http, String base) {
      this.http = http;
      this.base = base;
    }

    static SseStream open(HttpClient http, String url) throws Exception {
      SseStream stream = new SseStream(http, url.substring(0, url.indexOf("/sse/") + "/sse/".length()));
      http.sendAsync(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").build(),
          HttpResponse.BodyHandlers.fromLineSubscriber(stream));
      JsonNode hello = JSON.readTree(stream.next("parley:session").data());
      stream.session = hello.path("session").asString();
      stream.token = hello.path("token").asString();
      return stream;
    }

    HttpResponse<String> post(String body) throws Exception {
      return postAsync(body).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    CompletableFuture<HttpResponse<String>> postAsync(String body) {
      return http.sendAsync(HttpRequest.newBuilder(URI.create(base + "?sid=" + session))
          .header("Content-Type", "application/json").header("X-Parley-Token", token)
          .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    }

    void close() {
      cancel();
    }
  }
}
