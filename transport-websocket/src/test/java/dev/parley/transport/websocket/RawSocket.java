package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A bare WebSocket client that records text frames and the close code, for protocol edge cases. */
final class RawSocket implements WebSocket.Listener {
  private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private final java.util.concurrent.atomic.AtomicInteger pongs = new java.util.concurrent.atomic.AtomicInteger();
  private boolean autoPong;
  private WebSocket socket;
  private volatile Throwable error;

  static RawSocket open(String baseUrl) {
    return open(baseUrl, false);
  }

  /** With {@code autoPong}, server pings are answered at once and not recorded. */
  static RawSocket open(String baseUrl, boolean autoPong) {
    RawSocket raw = new RawSocket();
    raw.autoPong = autoPong;
    raw.socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create(baseUrl.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"), raw)
        .orTimeout(10, TimeUnit.SECONDS)
        .join();
    return raw;
  }

  /** The next text frame, waited for up to 10 s. */
  String next() throws InterruptedException {
    String text = texts.poll(10, TimeUnit.SECONDS);
    assertThat(text).as("a text frame arrived").isNotNull();
    return text;
  }

  /** The next text frame, or null once the socket has closed with none left or 10 s have passed. */
  String nextOrNull() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
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

  void send(String text) {
    socket.sendText(text, true).join();
  }

  void sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  /** The close code the server sent, waited for up to {@code seconds}. */
  int closeCode(int seconds) {
    return closed.orTimeout(seconds, TimeUnit.SECONDS).join();
  }

  /** Pings answered automatically. */
  int pongs() {
    return pongs.get();
  }

  /** What ended the socket abnormally (close code -1), or null. */
  Throwable error() {
    return error;
  }

  boolean isClosed() {
    return closed.isDone();
  }

  void abort() {
    socket.abort();
  }

  /** Starts a normal close (1000) from the client side. */
  void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
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
