package dev.parley.examples.chat;

import dev.parley.testsupport.Timeouts;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * The chat as a raw Socket.IO v5 client sees it: the JDK's WebSocket, the {@code nick} cookie, and every
 * event frame the server writes, kept as it came (text packets only, as the app sends).
 */
final class RawSocket implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** One event frame from the server: its name, its arguments, and the frame's length in chars. */
  record Frame(String event, ArrayNode args, int length) {
    JsonNode arg() {
      return args.get(0);
    }
  }

  private final BlockingQueue<Frame> events = new LinkedBlockingQueue<>();
  private final Map<Long, CompletableFuture<JsonNode>> acks = new ConcurrentHashMap<>();
  private final AtomicLong nextAck = new AtomicLong();
  private final CompletableFuture<JsonNode> connected = new CompletableFuture<>();
  private final WebSocket ws;

  private RawSocket(URI app, String cookie) throws Exception {
    URI url = URI.create("ws://" + app.getHost() + ":" + app.getPort() + "/socket.io/?EIO=4&transport=websocket");
    ws = HTTP.newWebSocketBuilder().header("Cookie", cookie).buildAsync(url, new Listener())
        .get(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Connects as {@code nick}, waits for the namespace's answer and returns the socket. */
  static RawSocket connect(URI app, String nick) throws Exception {
    RawSocket socket = new RawSocket(app, "nick=" + URLEncoder.encode(nick, StandardCharsets.UTF_8));
    JsonNode answer = socket.connected.get(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
    if (!answer.has("sid")) {
      socket.close();
      throw new IllegalStateException("refused: " + answer);
    }
    return socket;
  }

  /** Connects with this cookie and returns the server's CONNECT_ERROR payload, or fails if it connects. */
  static JsonNode refused(URI app, String cookie) throws Exception {
    try (RawSocket socket = new RawSocket(app, cookie)) {
      JsonNode answer = socket.connected.get(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
      if (answer.has("sid")) {
        throw new AssertionError("connected with cookie " + cookie);
      }
      return answer;
    }
  }

  /** Joins a room; returns the ack once the replay was sent. */
  JsonNode join(String room) throws Exception {
    return ack("join", room);
  }

  /** Emits an event with these arguments (any JSON values) and waits for the ack's first argument. */
  JsonNode ack(String event, Object... args) throws Exception {
    long id = nextAck.getAndIncrement();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    acks.put(id, answer);
    send("42" + id + packet(event, args));
    return answer.get(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Emits an event without asking for an ack. */
  void emit(String event, Object... args) {
    send("42" + packet(event, args));
  }

  /** The next event frame (the replayed history and live lines included). */
  Frame next() throws InterruptedException {
    Frame frame = events.poll(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
    if (frame == null) {
      throw new AssertionError("no event within " + Timeouts.STEP);
    }
    return frame;
  }

  /** The next event frame named {@code event}, skipping others (replayed history, typing). */
  Frame next(String event) throws InterruptedException {
    for (;;) {
      Frame frame = next();
      if (frame.event().equals(event)) {
        return frame;
      }
    }
  }

  /** Drops every event received so far. */
  void clear() {
    events.clear();
  }

  /** Events received and not read yet. */
  List<Frame> pending() {
    return List.copyOf(events);
  }

  private static String packet(String event, Object[] args) {
    ArrayNode array = JSON.createArrayNode().add(event);
    for (Object arg : args) {
      array.add(JSON.valueToTree(arg));
    }
    return JSON.writeValueAsString(array);
  }

  // One frame at a time: the JDK's WebSocket refuses a send while another is in progress.
  private void send(String text) {
    send(ws, text);
  }

  // The listener gets the socket before buildAsync has returned it: it passes its own reference.
  private synchronized void send(WebSocket target, String text) {
    target.sendText(text, true).orTimeout(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS).join();
  }

  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS)
          .exceptionally(e -> null).join();
    }
    ws.abort();
  }

  /** Closes the connection without a word, as a lost network does. */
  void drop() {
    ws.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial = new StringBuilder();
        receive(socket, text);
      }
      socket.request(1);
      return null;
    }

    private void receive(WebSocket socket, String text) {
      if (text.startsWith("0")) {
        send(socket, "40");                           // Engine.IO open: join the default namespace
      } else if (text.equals("2")) {
        send(socket, "3");                            // ping, pong
      } else if (text.startsWith("40")) {
        connected.complete(JSON.readTree(text.substring(2)));
      } else if (text.startsWith("44")) {
        connected.complete(JSON.readTree(text.substring(2)));
      } else if (text.startsWith("42")) {
        ArrayNode array = (ArrayNode) JSON.readTree(text.substring(text.indexOf('[')));
        String event = array.remove(0).asString();
        events.add(new Frame(event, array, text.length()));
      } else if (text.startsWith("43")) {
        int start = text.indexOf('[');
        CompletableFuture<JsonNode> answer = acks.remove(Long.parseLong(text.substring(2, start)));
        if (answer != null) {
          answer.complete(JSON.readTree(text.substring(start)).get(0));
        }
      }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
      connected.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
      return null;
    }
  }
}
