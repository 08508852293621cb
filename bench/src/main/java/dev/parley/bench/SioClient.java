package dev.parley.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * A lean Socket.IO v5 client over the JDK WebSocket (no thread of its own): enough for the load
 * generator and the reliability tests — connect to "/", emit, emitWithAck, events handed over as raw JSON
 * text, pings answered, and two ways to leave. Public for the tests in {@code dev.parley.bench.reliability}.
 */
public final class SioClient extends BenchClient implements WebSocket.Listener {
  private final StringBuilder partial = new StringBuilder();
  private volatile WebSocket socket;

  private SioClient(BiConsumer<String, String> onEvent) {
    super(onEvent);
  }

  /** Connects and completes once the CONNECT answer arrives; events go to {@code onEvent(name, rawJsonArray)}. */
  public static CompletableFuture<SioClient> connect(HttpClient http, String baseUrl,
                                                    BiConsumer<String, String> onEvent) {
    SioClient client = new SioClient(onEvent);
    long start = System.nanoTime();
    URI uri = URI.create(baseUrl.replaceFirst("^http", "ws") + "/socket.io/?EIO=4&transport=websocket");
    http.newWebSocketBuilder().buildAsync(uri, client).whenComplete((ws, error) -> {
      if (error != null) {
        client.connected.completeExceptionally(error);
      }
    });
    return whenConnected(client, start);
  }

  /** Sends one frame; blocks until it is handed to the socket (the JDK WebSocket takes one send at a time). */
  @Override
  synchronized void send(String packet) {
    socket.sendText(packet, true).join();
  }

  @Override
  public void close() {
    WebSocket current = socket;
    if (current != null) {
      current.abort();
    }
  }

  /**
   * Leaves the namespace ({@code 41}) and starts the WebSocket closing handshake (1000), as a client that
   * says goodbye does; the returned future completes once the close frame is sent.
   */
  public CompletableFuture<WebSocket> disconnect() {
    WebSocket current = socket;
    if (current == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("not connected"));
    }
    send("41");
    return current.sendClose(WebSocket.NORMAL_CLOSURE, "").toCompletableFuture();
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    socket = webSocket;
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      receive(text);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    connected.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    connected.completeExceptionally(error);
  }
}
