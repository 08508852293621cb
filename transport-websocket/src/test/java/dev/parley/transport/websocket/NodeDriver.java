package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Official socket.io-client 4.8 sockets under Node, driven line by line through src/test/node/driver.mjs:
 * every record a socket produces (connect, event, disconnect, ack) is queued per socket name, and read
 * back with a bound. Closing ends the process.
 */
final class NodeDriver implements AutoCloseable {
  static final Path FIXTURE = Path.of("src", "test", "node");
  static final Duration WAIT = Duration.ofSeconds(15);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Process process;
  private final OutputStream commands;
  private final Map<String, BlockingQueue<JsonNode>> records = new ConcurrentHashMap<>();
  private final BlockingQueue<JsonNode> control = new LinkedBlockingQueue<>();
  private final StringBuilder log = new StringBuilder();

  private NodeDriver(Process process) {
    this.process = process;
    this.commands = process.getOutputStream();
    Thread reader = new Thread(this::read, "node-driver-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the driver against a server's base URL; fails the test clearly if Node or the client is missing. */
  static NodeDriver start(String url) throws Exception {
    requireNode();
    Process process = new ProcessBuilder("node", "driver.mjs", url)
        .directory(FIXTURE.toFile())
        .redirectErrorStream(true)
        .start();
    NodeDriver driver = new NodeDriver(process);
    JsonNode ready = driver.control.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(ready).as("driver ready; output:%n%s", driver.log).isNotNull();
    assertThat(ready.path("type").asString()).isEqualTo("ready");
    return driver;
  }

  static void requireNode() throws InterruptedException {
    try {
      Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      if (!version.waitFor(10, TimeUnit.SECONDS) || version.exitValue() != 0) {
        fail("`node --version` failed: install Node.js 18+ (Debian: apt-get install -y nodejs npm)");
      }
    } catch (IOException e) {
      fail("Node.js is not installed: install Node.js 18+ (Debian: apt-get install -y nodejs npm), "
          + "then run `npm ci` in transport-websocket/src/test/node");
    }
    if (!Files.isDirectory(FIXTURE.resolve("node_modules").resolve("socket.io-client"))) {
      fail("socket.io-client is not installed: run `npm ci` in transport-websocket/src/test/node");
    }
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (log) {
          log.append(line).append('\n');
        }
        JsonNode record;
        try {
          record = JSON.readTree(line);
        } catch (RuntimeException e) {
          continue;
        }
        String name = record.path("name").asString("");
        if (name.isEmpty()) {
          control.add(record);
        } else {
          queue(name).add(record);
        }
      }
    } catch (IOException e) {
      // The process ended.
    }
  }

  private BlockingQueue<JsonNode> queue(String name) {
    return records.computeIfAbsent(name, n -> new LinkedBlockingQueue<>());
  }

  private void send(ObjectNode command) {
    try {
      commands.write((JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8));
      commands.flush();
    } catch (IOException e) {
      throw new IllegalStateException("the driver is gone; output:\n" + log, e);
    }
  }

  /** Opens a socket to a namespace; it reconnects by itself after 100 ms. */
  void open(String name, String namespace) {
    open(name, namespace, NODES.objectNode());
  }

  /** Opens a socket with socket.io-client options on top of the driver's. */
  void open(String name, String namespace, ObjectNode options) {
    send(NODES.objectNode().put("cmd", "open").put("name", name).put("ns", namespace).set("options", options));
  }

  /** Opens a socket to another base URL than the driver's (a server, not the proxy in front of it). */
  void open(String name, String baseUrl, String namespace, ObjectNode options) {
    send(NODES.objectNode().put("cmd", "open").put("name", name).put("base", baseUrl).put("ns", namespace)
        .set("options", options));
  }

  /** Emits an event with JSON arguments. */
  void emit(String name, String event, Object... args) {
    ObjectNode command = NODES.objectNode().put("cmd", "emit").put("name", name).put("event", event);
    ArrayNode array = command.putArray("args");
    for (Object arg : args) {
      array.add(JSON.valueToTree(arg));
    }
    send(command);
  }

  /**
   * Emits an event and returns the ack's first argument. Events the socket receives meanwhile are
   * dropped: read them first where they matter.
   */
  JsonNode ack(String name, String event, Object... args) throws InterruptedException {
    ObjectNode command = NODES.objectNode().put("cmd", "emit").put("name", name).put("event", event).put("ack", 1);
    ArrayNode array = command.putArray("args");
    for (Object arg : args) {
      array.add(JSON.valueToTree(arg));
    }
    send(command);
    return skipping(name, "ack", "event").path("args").path(0);
  }

  /**
   * The socket's next connect, skipping the {@code connect_error}s of reconnection attempts that failed
   * before it (a refusing proxy, a server not up yet).
   */
  JsonNode connected(String name) throws InterruptedException {
    return skipping(name, "connect", "connect_error");
  }

  /** The socket's next {@code connect_error} with this message, skipping those of other failed attempts. */
  JsonNode refused(String name, String message) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode record = next(name, "connect_error");
      if (record.path("message").asString().equals(message)) {
        return record;
      }
    }
    return fail("no connect_error %s from socket %s within %s", message, name, WAIT);
  }

  private JsonNode skipping(String name, String type, String skipped) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode record = next(name);
      String got = record.path("type").asString();
      if (got.equals(type)) {
        return record;
      }
      assertThat(got).as("record %s while waiting for %s; driver output:%n%s", record, type, output())
          .isEqualTo(skipped);
    }
    return fail("no %s from socket %s within %s", type, name, WAIT);
  }

  /** Disconnects a socket on purpose ({@code socket.disconnect()}). */
  void close(String name) {
    send(NODES.objectNode().put("cmd", "close").put("name", name));
  }

  /** The next record of a socket, whatever its type. */
  JsonNode next(String name) throws InterruptedException {
    JsonNode record = queue(name).poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (record == null) {
      JsonNode failure = control.poll();
      fail("nothing from socket %s within %s%s; driver output:%n%s", name, WAIT,
          failure == null ? "" : " (" + failure + ")", output());
    }
    return record;
  }

  /** The next record of a socket, which must be of this type. */
  JsonNode next(String name, String type) throws InterruptedException {
    JsonNode record = next(name);
    assertThat(record.path("type").asString()).as("record %s; driver output:%n%s", record, output()).isEqualTo(type);
    return record;
  }

  /** The next {@code count} events of a socket, which must all be events. */
  List<JsonNode> events(String name, int count) throws InterruptedException {
    List<JsonNode> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      events.add(next(name, "event"));
    }
    return events;
  }

  /**
   * Asserts that the next record of a socket is the event {@code event}: sent after everything a test
   * expects, a marker proves that nothing else came before it, with no quiet period to wait out.
   */
  void assertNextEvent(String name, String event) throws InterruptedException {
    JsonNode record = next(name, "event");
    assertThat(record.path("event").asString()).as("record %s, expected the event %s", record, event).isEqualTo(event);
  }

  private String output() {
    synchronized (log) {
      return log.toString();
    }
  }

  @Override
  public void close() {
    try {
      send(NODES.objectNode().put("cmd", "exit"));
    } catch (IllegalStateException e) {
      // Already gone.
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
