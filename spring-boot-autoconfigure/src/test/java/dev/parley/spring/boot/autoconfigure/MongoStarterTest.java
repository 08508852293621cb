package dev.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.spi.Store;
import dev.parley.store.mongo.MongoStore;
import dev.parley.testsupport.TestMongo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code parley.store.mongodb.uri} alone makes the store MongoDB, and the {@code parley} health component then
 * says what the MongoDB store knows: the ping, the change streams following, the bus lag once an emit travelled;
 * down once the server has gone.
 */
class MongoStarterTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  // In the JVM: the test stops the server.
  private final TestMongo mongo = TestMongo.inProcess();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private ConfigurableApplicationContext context;

  @AfterEach
  void close() {
    if (context != null) {
      context.close();
    }
    mongo.close();
  }

  @Test
  void theHealthComponentReportsTheMongoStore() throws Exception {
    context = new SpringApplicationBuilder(ChatTestApplication.class)
        .properties("server.address=127.0.0.1", "server.port=0", "spring.main.banner-mode=off",
            "management.endpoint.health.show-details=always",
            "spring.autoconfigure.exclude="
                + "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
            "parley.store.mongodb.uri=" + mongo.connectionString(),
            "parley.store.mongodb.database=" + mongo.newDatabase())
        .run();
    assertThat(context.getBean(Store.class)).isInstanceOf(MongoStore.class);
    String health = "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort()
        + "/actuator/health";

    // An emit crosses the bus (a MongoDB collection followed by a change stream) even on one node.
    context.getBean(ChatServer.class).emit("hello", "everyone").block(WAIT);
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode parley = get(health).path("components").path("parley");
      assertThat(parley.path("status").asString()).as(parley.toString()).isEqualTo("UP");
      JsonNode store = parley.path("details").path("store");
      assertThat(store.path("feed").asString()).isEqualTo("following");
      assertThat(store.path("bus").asString()).isEqualTo("following");
      assertThat(store.path("busLagMillis").asLong()).isGreaterThanOrEqualTo(0);
    });

    mongo.stopServer();
    JsonNode down = get(health);
    assertThat(down.path("components").path("parley").path("status").asString()).as(down.toString())
        .isEqualTo("DOWN");
    assertThat(down.path("status").asString()).isEqualTo("DOWN");
  }

  private JsonNode get(String url) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }
}
