package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.parley.testsupport.Timeouts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The official Socket.IO server (socket.io 4.8.1 from {@code bench/node}) in a Node process of its own,
 * running src/test/node/socketio-server.mjs: three servers on 127.0.0.1 ({@link #url(String)}), commanded
 * line by line, each thing they see queued as a JSON record for a test to {@link #take} with a bound.
 * Binary values cross the pipe as {@code {"$bin": base64}}. Needs Node.js and {@code npm ci} in
 * {@code bench/node} (CI does both): without them {@link #start()} fails the test, saying which is missing.
 * {@link #close()} kills the process.
 */
final class NodeSocketIoServer implements AutoCloseable {
  static final Path BENCH_NODE = Path.of("..", "bench", "node");
  static final Path SCRIPT = Path.of("src", "test", "node", "socketio-server.mjs");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Process process;
  private final OutputStream commands;
  // Records not taken yet, in arrival order; every record ever seen; guarded by records.
  private final List<JsonNode> records = new ArrayList<>();
  private final List<JsonNode> history = new ArrayList<>();
  // Standard error and any line that is not a record; guarded by itself.
  private final StringBuilder output = new StringBuilder();
  private final AtomicInteger refs = new AtomicInteger();
  private volatile boolean ended;
  private JsonNode listening = NODES.objectNode();

  private NodeSocketIoServer(Process process) {
    this.process = process;
    this.commands = process.getOutputStream();
    daemon("node-socketio-out", this::readRecords);
    daemon("node-socketio-err", () -> copy(process.getErrorStream()));
  }

  /**
   * Starts the process and waits (bounded) until its servers listen.
   *
   * @throws AssertionError if Node.js or bench/node's socket.io is missing, or the process does not come up
   */
  static NodeSocketIoServer start() throws InterruptedException {
    Path socketIo = BENCH_NODE.resolve("node_modules").resolve("socket.io");
    if (!Files.isDirectory(socketIo)) {
      fail("socket.io is not installed in %s: run `npm ci` in bench/node (CI does)", BENCH_NODE.toAbsolutePath()
          .normalize());
    }
    Process process;
    try {
      process = new ProcessBuilder("node", SCRIPT.toString(), BENCH_NODE.toString()).start();
    } catch (IOException e) {
      return fail("Node.js is not installed (no `node` on the PATH): install Node.js 18+ "
          + "(Debian: apt-get install -y nodejs npm), then run `npm ci` in bench/node", e);
    }
    NodeSocketIoServer server = new NodeSocketIoServer(process);
    try {
      server.listening = server.take("listening", record -> true);
      return server;
    } catch (AssertionError | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** The socket.io version the process runs. */
  String version() {
    return listening.path("version").asString();
  }

  /** The base URL of one of the servers: {@code plain}, {@code recovery} or {@code heartbeat}. */
  URI url(String server) {
    int port = listening.path(server).asInt(0);
    assertThat(port).as("port of server %s", server).isPositive();
    return URI.create("http://127.0.0.1:" + port);
  }

  // ---- commands ----

  /** {@code socket.emit(event, ...args)} on the socket with this id (on any server). */
  void emit(String id, String event, Object... args) {
    send(command("emit", id).put("event", event).set("args", wire(args)));
  }

  /**
   * {@code socket.timeout(5000).emit(event, ...args, callback)}; the callback's arguments come back as the
   * record {@link #ackOf} returns.
   *
   * @return the command's reference, for {@link #ackOf}
   */
  int emitWithAck(String id, String event, Object... args) {
    int ref = refs.incrementAndGet();
    send(command("emit-with-ack", id).put("event", event).put("ref", ref).set("args", wire(args)));
    return ref;
  }

  /** The client's answer to {@link #emitWithAck}: its arguments, binary ones as {@code {"$bin"}}. */
  ArrayNode ackOf(int ref) throws InterruptedException {
    JsonNode record = await("ack or ack-error " + ref, r -> (r.path("type").asString().equals("ack")
        || r.path("type").asString().equals("ack-error")) && r.path("ref").asInt() == ref);
    assertThat(record.path("type").asString()).as("answer %s; output:%n%s", record, output()).isEqualTo("ack");
    return (ArrayNode) record.path("args");
  }

  /** {@code socket.conn.close()}: closes the socket's Engine.IO connection, not the socket. */
  void closeConnection(String id) {
    send(command("close-conn", id));
  }

  /** As {@link #closeConnection(String)}, then emits an event to the socket's room while the client is away. */
  void closeConnectionThenEmit(String id, String event, Object... args) {
    ObjectNode missed = NODES.objectNode().put("event", event).set("args", wire(args));
    send(command("close-conn", id).set("missed", missed));
  }

  /** {@code socket.disconnect(close)}: removes the socket from its namespace (and closes the connection). */
  void disconnect(String id, boolean close) {
    send(command("disconnect", id).put("close", close));
  }

  private static ObjectNode command(String name, String id) {
    return NODES.objectNode().put("cmd", name).put("id", id);
  }

  private void send(ObjectNode command) {
    try {
      synchronized (commands) {
        commands.write((JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8));
        commands.flush();
      }
    } catch (IOException e) {
      fail("the Node Socket.IO server is gone; its output:\n" + output(), e);
    }
  }

  // ---- records ----

  /**
   * Waits (at most {@link Timeouts#STEP}) for the first record of this type about this socket id, and takes
   * it out of the queue.
   */
  JsonNode take(String type, String id) throws InterruptedException {
    return await(type + " of " + id, r -> r.path("type").asString().equals(type) && r.path("id").asString().equals(id));
  }

  /** Waits for the first record of this type that matches, and takes it out of the queue. */
  JsonNode take(String type, Predicate<JsonNode> matching) throws InterruptedException {
    return await(type, r -> r.path("type").asString().equals(type) && matching.test(r));
  }

  private JsonNode await(String what, Predicate<JsonNode> matching) throws InterruptedException {
    long deadline = System.nanoTime() + Timeouts.STEP.toNanos();
    synchronized (records) {
      while (true) {
        for (Iterator<JsonNode> it = records.iterator(); it.hasNext(); ) {
          JsonNode record = it.next();
          if (record.path("type").asString().equals("fail")) {
            fail("the Node Socket.IO server failed a command: %s%noutput:%n%s", record.path("message").asString(),
                output());
          }
          if (matching.test(record)) {
            it.remove();
            return record;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || ended) {
          return fail("no record %s from the Node Socket.IO server within %s%s; records not taken: %s%noutput:%n%s",
              what, Timeouts.STEP, ended ? " (the process ended)" : "", records, output());
        }
        records.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
      }
    }
  }

  /** How many records, taken or not, match so far. */
  long count(Predicate<JsonNode> matching) {
    synchronized (records) {
      return history.stream().filter(matching).count();
    }
  }

  /** Standard error and the lines that were not records, for failure messages. */
  String output() {
    synchronized (output) {
      return output.toString();
    }
  }

  // ---- binary values across the pipe ----

  /** The arguments as JSON for a command, each {@code byte[]} (in maps and lists too) as {@code {"$bin"}}. */
  static ArrayNode wire(Object... args) {
    ArrayNode array = NODES.arrayNode();
    for (Object arg : args) {
      array.add(wire(arg));
    }
    return array;
  }

  private static JsonNode wire(Object value) {
    if (value instanceof byte[] bytes) {
      return bin(bytes);
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode object = NODES.objectNode();
      map.forEach((key, item) -> object.set(String.valueOf(key), wire(item)));
      return object;
    }
    if (value instanceof List<?> list) {
      ArrayNode array = NODES.arrayNode();
      list.forEach(item -> array.add(wire(item)));
      return array;
    }
    return JSON.valueToTree(value);
  }

  /** How the pipe carries a binary value. */
  static ObjectNode bin(byte[] bytes) {
    return NODES.objectNode().put("$bin", Base64.getEncoder().encodeToString(bytes));
  }

  /** The bytes of a binary value as the pipe carries it. */
  static byte[] bytes(JsonNode bin) {
    assertThat(bin.has("$bin")).as("a binary value: %s", bin).isTrue();
    return Base64.getDecoder().decode(bin.path("$bin").asString());
  }

  // ---- the process ----

  private static void daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void readRecords() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        JsonNode record = null;
        if (line.startsWith("{")) {
          try {
            record = JSON.readTree(line);
          } catch (RuntimeException e) {
            // Not a record: kept as output below.
          }
        }
        if (record == null) {
          append(line);
          continue;
        }
        synchronized (records) {
          records.add(record);
          history.add(record);
          records.notifyAll();
        }
      }
    } catch (IOException e) {
      // The process ended.
    } finally {
      ended = true;
      synchronized (records) {
        records.notifyAll();
      }
    }
  }

  private void copy(InputStream errors) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(errors, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        append(line);
      }
    } catch (IOException e) {
      // The process ended.
    }
  }

  private void append(String line) {
    synchronized (output) {
      output.append(line).append('\n');
    }
  }

  /** Kills the process and waits (bounded) for it to end. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
