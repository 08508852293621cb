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
 * {@code bench/node/latency.mjs}, the Node client of {@code bench/run.sh}'s latency scenario, against the bench
 * server in this JVM: its receivers join the room, every message published reaches every one of them, and the
 * run reports the percentiles and the server's CPU. Needs Node.js and {@code npm ci} in {@code bench/node}.
 */
class NodeLatencyGeneratorTest {
  private ChatServer server;
  private String url;

  @BeforeEach
  void startServer() {
    server = BenchServer.start(0);
    url = "http://127.0.0.1:" + server.address().orElseThrow().getPort();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void everyReceiverGetsEveryMessageAndTheRunIsReported() throws Exception {
    String line = node("latency.mjs", "--url", url, "--clients", "20", "--rate", "20", "--seconds", "2",
        "--server-pid", Long.toString(ProcessHandle.current().pid()));
    JsonNode run = new ObjectMapper().readTree(line);

    assertThat(run.path("scenario").asString()).isEqualTo("latency");
    assertThat(run.path("clients").asInt()).isEqualTo(20);
    assertThat(run.path("rate").asInt()).isEqualTo(20);
    assertThat(run.path("expected").asLong()).isEqualTo(20 * 40);
    assertThat(run.path("delivered").asLong()).isEqualTo(20 * 40);
    double p50 = run.path("p50_ms").asDouble();
    assertThat(p50).isPositive();
    assertThat(run.path("p99_ms").asDouble()).isGreaterThanOrEqualTo(p50);
    assertThat(run.path("p999_ms").asDouble()).isGreaterThanOrEqualTo(run.path("p99_ms").asDouble());
    assertThat(run.path("max_ms").asDouble()).isGreaterThanOrEqualTo(run.path("p999_ms").asDouble());
    // This JVM is the server: its CPU over the run is more than nothing.
    assertThat(run.path("server_cpu_s").asDouble()).isPositive();
    assertThat(run.path("generator_cpu_s").asDouble()).isPositive();
    // The receivers and the publisher were closed by the client.
    await().atMost(Timeouts.SLOW).until(() -> server.stats().sessions() == 0);
  }

  @Test
  void aServerThatIsNotThereFailsTheRun() throws Exception {
    server.close();
    Process process = NodeScripts.start("latency.mjs", "--url", url, "--clients", "1");
    assertThat(process.waitFor(Timeouts.SLOW.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(1);
    assertThat(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("latency run failed");
  }
}
