package dev.parley.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * A bare Engine.IO v4 WebSocket on the JDK client, at {@code /socket.io/?EIO=4&transport=websocket}: it
 * queues every text frame it receives (pings too, unless it answers them itself) and records the close
 * code, for protocol edge cases; and it speaks enough Socket.IO v5 for a test to stand it in a room
 * ({@link #connect}, {@link #emit}, {@link #nextEvent}, {@link #nextAck}). Every wait is bounded by
 * {@link Timeouts#STEP}. Frames are received on the client's thread; use one instance from one test thread.
 */
public final class RawSocket implements WebSocket.Listener, AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private final AtomicInteger pongs = new AtomicInteger();
  private final boolean autoPong;
  private @Nullable WebSocket socket;
  private volatile @Nullable Throwable error;
  private @Nullable String channelId;

  private RawSocket(boolean autoPong) {
    this.autoPong = autoPong;
  }

  /** Opens a socket that records every frame, pings included, on a client of its own. */
  public static RawSocket open(String baseUrl) {
    return open(baseUrl, false);
  }

  /** With {@code autoPong}, server pings are answered at once and not recorded. */
  public static RawSocket open(String baseUrl, boolean autoPong) {
    return open(HttpClient.newHttpClient(), baseUrl, autoPong);
  }

  /** Opens a socket on {@code http}; with {@code autoPong}, server pings are answered at once and not recorded. */
  public static RawSocket open(HttpClient http, String baseUrl, boolean autoPong) {
    return open(http, URI.create(baseUrl.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"),
        autoPong);
  }

  /**
   * Opens a WebSocket at any {@code ws://} address on {@code http}: a plain recording client for endpoints
   * that are not Engine.IO's. With {@code autoPong}, texts "2" are answered with "3" and not recorded.
   */
  public static RawSocket open(HttpClient http, URI uri, boolean autoPong) {
    return open(http, uri, autoPong, new String[0]);
  }

  /** {@link #open(HttpClient, URI, boolean)} with request headers: name, value, name, value... */
  public static RawSocket open(HttpClient http, URI uri, boolean autoPong, String... headers) {
    RawSocket raw = new RawSocket(autoPong);
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Timeouts.CONNECT);
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    raw.socket = builder
        .buildAsync(uri, raw)
        .orTimeout(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS)
        .join();
    return raw;
  }

  /**
   * Opens a socket that answers pings, waits for the Engine.IO open packet and connects to namespace
   * {@code /} with {@code authJson}; fails the test unless the server accepts.
   */
  public static RawSocket connect(HttpClient http, String baseUrl, String authJson) throws InterruptedException {
    RawSocket client = open(http, baseUrl, true);
    assertThat(client.next()).startsWith("0{\"sid\":");
    client.send("40" + authJson);
    String connected = client.next();
    assertThat(connected).startsWith("40{\"sid\":");
    client.channelId = JSON.readTree(connected.substring(2)).path("sid").asString();
    return client;
  }

  /** The Socket.IO session id the server gave at {@link #connect}, or null before. */
  public @Nullable String channelId() {
    return channelId;
  }

  /** The next text frame, waited for up to {@link Timeouts#STEP}; fails the test if none comes. */
  public String next() throws InterruptedException {
    String text = texts.poll(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(text).as("a text frame arrived within %s", Timeouts.STEP).isNotNull();
    return text;
  }

  /** The next text frame, or null once the socket has closed with none left or {@link Timeouts#STEP} has passed. */
  public @Nullable String nextOrNull() throws InterruptedException {
    long deadline = System.nanoTime() + Timeouts.STEP.toNanos();
    while (System.nanoTime() < deadline) {
      String text = texts.poll(50, TimeUnit.MILLISECONDS);
      if (text != null) {
        return text;
      }
      if (closed.isDone() && texts.isEmpty()) {
        return null;
      }
    }
    return null;
  }

  /** The next frame, which must be a Socket.IO event ({@code 42[...]}): its name and arguments as one array. */
  public ArrayNode nextEvent() throws InterruptedException {
    String frame = next();
    assertThat(frame).startsWith("42[");
    return (ArrayNode) JSON.readTree(frame.substring(2));
  }

  /** The next frame, which must be the ack ({@code 43<id>[...]}) of {@code ackId}: its arguments. */
  public ArrayNode nextAck(long ackId) throws InterruptedException {
    String frame = next();
    assertThat(frame).startsWith("43" + ackId + "[");
    return (ArrayNode) JSON.readTree(frame.substring(2 + Long.toString(ackId).length()));
  }

  /** Frames received and not yet taken. */
  public int pending() {
    return texts.size();
  }

  /** Fails the test if a frame was received and never taken (pings too, unless answered automatically). */
  public void assertExhausted() {
    assertThat(new ArrayList<>(texts)).as("frames received and never taken").isEmpty();
  }

  /** Sends {@code 42[event, args...]}, or {@code 42<ackId>[...]} when {@code ackId} is not negative. */
  public void emit(long ackId, String event, Object... args) {
    ArrayNode array = JSON.createArrayNode().add(event);
    for (Object arg : args) {
      array.add((JsonNode) JSON.valueToTree(arg));
    }
    send("42" + (ackId >= 0 ? Long.toString(ackId) : "") + JSON.writeValueAsString(array));
  }

  /** Sends one text frame; waits until it is written, up to {@link Timeouts#STEP}. */
  public void send(String text) {
    socket().sendText(text, true).orTimeout(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS).join();
  }

  /**
   * Sends one text message split into a frame per part (the first a text frame, the others continuations, the
   * last one final); waits until each is written, up to {@link Timeouts#STEP}.
   */
  public void sendFragments(String... parts) {
    for (int i = 0; i < parts.length; i++) {
      socket().sendText(parts[i], i == parts.length - 1).orTimeout(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS)
          .join();
    }
  }

  /** Sends one binary frame; waits until it is written, up to {@link Timeouts#STEP}. */
  public void sendBinary(byte[] bytes) {
    socket().sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS)
        .join();
  }

  /** The close code the server sent (-1 if the socket failed), waited for up to {@code seconds}. */
  public int closeCode(int seconds) {
    return closed.orTimeout(seconds, TimeUnit.SECONDS).join();
  }

  /** Pings answered automatically. */
  public int pongs() {
    return pongs.get();
  }

  /** What ended the socket abnormally (close code -1), or null. */
  public @Nullable Throwable error() {
    return error;
  }

  /** Whether the socket has closed or failed. */
  public boolean isClosed() {
    return closed.isDone();
  }

  /** Drops the connection without a close frame, as a lost network does. */
  public void abort() {
    socket().abort();
  }

  /** Starts a normal close (1000) from the client side, unless the socket's output is already closed. */
  @Override
  public void close() {
    WebSocket current = socket();
    if (!current.isOutputClosed()) {
      current.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS)
          .join();
    }
  }

  private WebSocket socket() {
    WebSocket current = socket;
    if (current == null) {
      throw new IllegalStateException("not open");
    }
    return current;
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      if (autoPong && text.equals("2")) {
        pongs.incrementAndGet();
        webSocket.sendText("3", true);
      } else {
        texts.add(text);
      }
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    this.error = error;
    closed.complete(-1);
  }
}
