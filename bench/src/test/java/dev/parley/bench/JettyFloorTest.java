package dev.parley.bench;

import static dev.parley.bench.NodeScripts.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.testsupport.Timeouts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The Jetty floor serves what {@code bench/run.sh} asks of it with {@code FLOOR=1}: the Node latency and
 * connect clients run against it whole (every message to every receiver, every connection made), so that its
 * figures are of the same work as Parley's. Needs Node.js and {@code npm ci} in {@code bench/node}.
 */
class JettyFloorTest {
  private JettyFloor floor;
  private String url;

  @BeforeEach
  void start() throws Exception {
    floor = JettyFloor.start(0);
    url = "http://127.0.0.1:" + floor.port();
  }

  @AfterEach
  void stop() throws Exception {
    floor.close();
  }

  @Test
  void everyReceiverGetsEveryMessage() throws Exception {
    JsonNode run = new ObjectMapper().readTree(node("latency.mjs", "--url", url, "--clients", "10", "--rate", "20",
        "--seconds", "1"));

    assertThat(run.path("expected").asLong()).isEqualTo(10 * 20);
    assertThat(run.path("delivered").asLong()).isEqualTo(10 * 20);
    await().atMost(Timeouts.SLOW).until(() -> floor.openSockets() == 0);
  }

  @Test
  void makesEveryConnection() throws Exception {
    JsonNode run = new ObjectMapper().readTree(node("connect.mjs", "--url", url, "--connections", "30",
        "--concurrency", "6"));

    assertThat(run.path("connections").asInt()).isEqualTo(30);
    assertThat(run.path("connections_per_s").asInt()).isPositive();
    await().atMost(Timeouts.SLOW).until(() -> floor.openSockets() == 0);
  }

  @Test
  void splitsAnEventIntoItsNameItsFirstArgumentAndTheRest() {
    String pub = "42[\"pub\",\"bench\",{\"t\":1,\"s\":\"a,]}\\\"\",\"l\":[1,2]}]";
    assertThat(JettyFloor.split(pub, 2)).containsExactly("\"pub\"", "\"bench\"", "{\"t\":1,\"s\":\"a,]}\\\"\",\"l\":[1,2]}");
    String join = "421[\"join\",\"bench\"]";
    assertThat(JettyFloor.split(join, 3)).containsExactly("\"join\"", "\"bench\"");
    assertThat(JettyFloor.split("42[]", 2)).isEmpty();
    assertThat(JettyFloor.split("42[", 2)).isEmpty();
  }
}
