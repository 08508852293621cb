package dev.parley.bench;

import static dev.parley.bench.NodeScripts.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.testsupport.Timeouts;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code bench/node/connect.mjs}, the Node client of {@code bench/run.sh}'s connect scenarios, against the bench
 * server in this JVM: it makes the connections it is asked for (after its warm-up), reads the server's CPU, and
 * closes them all. Needs Node.js and {@code npm ci} in {@code bench/node} (CI does both).
 */
class NodeConnectGeneratorTest {
  private ChatServer server;
  private String url;

  @BeforeEach
  void start() {
    server = BenchServer.start(0);
    url = "http://127.0.0.1:" + server.address().orElseThrow().getPort();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void makesTheConnectionsAndReportsTheRun() throws Exception {
    String line = node("connect.mjs", "--url", url, "--connections", "40", "--concurrency", "8", "--warmup", "12",
        "--server-pid", Long.toString(ProcessHandle.current().pid()));
    JsonNode run = new ObjectMapper().readTree(line);

    assertThat(run.path("scenario").asString()).isEqualTo("connect-warm");
    assertThat(run.path("connections").asInt()).isEqualTo(40);
    assertThat(run.path("warmup_connections").asInt()).isEqualTo(12);
    assertThat(run.path("connections_per_s").asInt()).isPositive();
    assertThat(run.path("handshake_p50_ms").asDouble()).isPositive()
        .isLessThanOrEqualTo(run.path("handshake_p99_ms").asDouble());
    // This JVM is the server: its CPU over the run is more than nothing.
    assertThat(run.path("server_cpu_s").asDouble()).isPositive();
    // Every connection, warm-up included, was closed by the client.
    await().atMost(Timeouts.SLOW).until(() -> server.stats().sessions() == 0);
  }

  @Test
  void aServerThatIsNotThereFailsTheRun() throws Exception {
    server.close();
    Process process = NodeScripts.start("connect.mjs", "--url", url, "--connections", "1");
    assertThat(process.waitFor(Timeouts.SLOW.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(1);
    assertThat(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("connect run failed");
  }
}
