package dev.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The official socket.io-client in a Node process (src/test/node/chat-client.cjs), driven by JSON lines. It
 * takes socket.io-client from transport-websocket's test fixture folder, which CI installs with {@code npm ci}.
 */
final class NodeChatClient implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  static final Path FIXTURE = Path.of("..", "transport-websocket", "src", "test", "node").toAbsolutePath().normalize();

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();
  private final StringBuffer errors = new StringBuffer();

  NodeChatClient(String url) throws IOException {
    this(url, "{}");
  }

  NodeChatClient(String url, String authJson) throws IOException {
    assertThat(FIXTURE.resolve("node_modules").resolve("socket.io-client"))
        .as("socket.io-client missing: run `npm ci` in " + FIXTURE).exists();
    ProcessBuilder builder = new ProcessBuilder("node", Path.of("src", "test", "node", "chat-client.cjs").toString(), url,
        authJson);
    builder.environment().put("SOCKET_IO_CLIENT_DIR", FIXTURE.toString());
    process = builder.start();
    commands = process.outputWriter(StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> read(process), "node-chat-client");
    reader.setDaemon(true);
    reader.start();
    Thread stderr = new Thread(() -> {
      try (BufferedReader in = process.errorReader(StandardCharsets.UTF_8)) {
        in.lines().forEach(line -> errors.append(line).append('\n'));
      } catch (IOException ignored) {
        // the process ended
      }
    }, "node-chat-client-stderr");
    stderr.setDaemon(true);
    stderr.start();
  }

  private void read(Process node) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        lines.add(JSON.readTree(line));
      }
    } catch (IOException ignored) {
      // the process ended
    }
  }

  /** Sends {@code event} with {@code args} and an ack callback. */
  void emit(String event, Object... args) throws IOException {
    commands.write(JSON.writeValueAsString(java.util.Map.of("emit", event, "args", List.of(args))) + "\n");
    commands.flush();
  }

  /** The first line from now on that {@code wanted} accepts, failing after {@code timeout}. */
  JsonNode expect(Predicate<JsonNode> wanted, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("no such line from socket.io-client within " + timeout + "; seen " + seen
            + (errors.isEmpty() ? "" : "; stderr: " + errors));
      }
      seen.add(line.toString());
      if (wanted.test(line)) {
        return line;
      }
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
