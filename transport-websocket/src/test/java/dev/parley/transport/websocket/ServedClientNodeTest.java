package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.testsupport.TcpProxy;
import dev.parley.testsupport.Timeouts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Parley's own browser client, src/main/resources/META-INF/parley/socket.io.js, under Node (WebSocket from the
 * {@code ws} package, {@code fetch} for polling) through src/test/node/served-client.mjs: connect, events and
 * acks both ways, {@code emitWithAck}, ack timeouts, binary both ways, a second namespace on the same connection,
 * a middleware refusal, emits buffered until connected, POSTs batched within {@code maxPayload}, a server
 * disconnect, the heartbeat, and recovery after the test cuts its connection through a proxy and posts a message
 * it misses; then the server is idle. Once per transport choice.
 */
class ServedClientNodeTest {
  private static final Path SCRIPT = Path.of("src", "main", "resources", "META-INF", "parley", "socket.io.js");
  private static final WebSocketTransportConfig FAST_HEARTBEAT = WebSocketTransportConfig.builder()
      .pingInterval(Duration.ofMillis(300)).pingTimeout(Duration.ofSeconds(1)).maxPayload(16_000).build();
  private static final Duration RUN = Duration.ofSeconds(60);

  @Test
  void defaultOptionsPollThenUpgradeToWebSocket() throws Exception {
    assertThat(run("{}")).contains("ok transport websocket");
  }

  @Test
  void pollingOnly() throws Exception {
    assertThat(run("{\"transports\":[\"polling\"]}")).contains("ok transport polling");
  }

  @Test
  void webSocketOnly() throws Exception {
    assertThat(run("{\"transports\":[\"websocket\"]}")).contains("ok transport websocket");
  }

  @Test
  void withoutUpgradeStaysOnPolling() throws Exception {
    assertThat(run("{\"upgrade\":false}")).contains("ok transport polling");
  }

  /** A browser polls with XMLHttpRequest, not fetch: the driver lends Node one. */
  @Test
  void pollingOverXmlHttpRequest() throws Exception {
    assertThat(run("{\"transports\":[\"polling\"]}", "xhr")).contains("ok transport polling");
  }

  /**
   * Runs the driver with these client options (and its other arguments), plays the network cut it asks for,
   * and returns its output.
   */
  private static String run(String... arguments) throws Exception {
    NodeDriver.requireNode();
    try (ChatServer server = SocketIoTestApp.start(FAST_HEARTBEAT, b -> { });
        TcpProxy proxy = new TcpProxy(server.address().orElseThrow().getPort())) {
      List<String> command = new ArrayList<>(List.of("node", "served-client.mjs",
          SCRIPT.toAbsolutePath().toString(), SocketIoTestApp.url(server), proxy.url()));
      command.addAll(List.of(arguments));
      Process node = new ProcessBuilder(command)
          .directory(NodeDriver.FIXTURE.toFile())
          .redirectErrorStream(true)
          .start();
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      StringBuilder output = new StringBuilder();
      Thread reader = new Thread(() -> read(node, lines), "served-client-reader");
      reader.setDaemon(true);
      reader.start();
      String missed = null;
      long deadline = System.nanoTime() + RUN.toNanos();
      try {
        while (true) {
          String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          assertThat(line).as("the driver's next line within %s; output:%n%s", RUN, output).isNotNull();
          output.append(line).append('\n');
          if (line.startsWith("cut ")) {
            missed = cut(server, proxy, line.substring("cut ".length()));
          } else if (line.equals("done") || line.startsWith("fail")) {
            break;
          }
        }
        assertThat(node.waitFor(Timeouts.STEP.toSeconds(), TimeUnit.SECONDS)).as("node exits").isTrue();
      } finally {
        node.destroyForcibly();
      }
      String printed = output.toString();
      assertThat(node.exitValue()).as("node exit code; output:%n%s", printed).isZero();
      assertThat(printed).contains("ok connect", "ok events", "ok acks", "ok emitWithAck", "ok timeout", "ok binary",
          "ok namespace", "ok rejected", "ok buffered", "ok batches", "ok server-disconnect", "ok ping", "done");
      assertThat(printed).as("the missed post, its id as offset").contains("ok recovered " + missed + " after");
      await().atMost(Timeouts.STEP).until(() -> server.stats().isIdle());
      return printed;
    }
  }

  /**
   * Cuts every connection through the proxy and refuses new ones until the server has let the socket go, posts
   * a message to its room meanwhile, then lets it reconnect.
   *
   * @return the id of the message the socket missed
   */
  private static String cut(ChatServer server, TcpProxy proxy, String id) {
    proxy.refuse(true);
    proxy.dropAll();
    await().atMost(Timeouts.STEP).until(() -> server.namespace().channel(id).isEmpty());
    String missed = server.room("lobby").post("news", "missed").block(Timeouts.STEP).id();
    proxy.refuse(false);
    return missed;
  }

  private static void read(Process node, BlockingQueue<String> lines) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      // The process ended.
    }
    lines.add("fail: the driver's output ended");
  }
}
