package dev.parley.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A lean Socket.IO v5 client over the JDK WebSocket (no thread of its own): enough for the load
 * generator and the reliability tests — connect to "/", emit, emitWithAck, events handed over as raw JSON
 * text, pings answered, and two ways to leave. Public for the tests in {@code dev.parley.bench.reliability}.
 */
public final class SioClient implements WebSocket.Listener {
  private final CompletableFuture<SioClient> connected = new CompletableFuture<>();
  private final Map<Integer, CompletableFuture<String>> acks = new ConcurrentHashMap<>();
  private final AtomicInteger nextAck = new AtomicInteger();
  private final StringBuilder partial = new StringBuilder();
  private final BiConsumer<String, String> onEvent;
  private volatile WebSocket socket;
  volatile long connectNanos;

  private SioClient(BiConsumer<String, String> onEvent) {
    this.onEvent = onEvent;
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
    return client.connected.thenApply(c -> {
      c.connectNanos = System.nanoTime() - start;
      return c;
    });
  }

  /** Sends {@code 42<jsonArray>}; blocks until the frame is handed to the socket. */
  public synchronized void emit(String jsonArray) {
    socket.sendText("42" + jsonArray, true).join();
  }

  /** Sends {@code 42<id><jsonArray>}; the result completes with the ack's raw JSON array. */
  public CompletableFuture<String> emitWithAck(String jsonArray) {
    int id = nextAck.getAndIncrement();
    CompletableFuture<String> reply = new CompletableFuture<>();
    acks.put(id, reply);
    synchronized (this) {
      socket.sendText("42" + id + jsonArray, true).join();
    }
    return reply;
  }

  /** Drops the connection at once, with no goodbye (the server learns it from the socket closing). */
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
    synchronized (this) {
      current.sendText("41", true).join();
    }
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
      receive(webSocket, text);
    }
    webSocket.request(1);
    return null;
  }

  private void receive(WebSocket webSocket, String text) {
    if (text.startsWith("42")) {
      int comma = text.indexOf(',');
      int quote = text.indexOf('"', 4);
      if (comma > 0 && quote > 0) {
        onEvent.accept(text.substring(4, quote), text.substring(2));
      }
    } else if (text.startsWith("43")) {
      int bracket = text.indexOf('[');
      CompletableFuture<String> reply = acks.remove(Integer.parseInt(text.substring(2, bracket)));
      if (reply != null) {
        reply.complete(text.substring(bracket));
      }
    } else if (text.equals("2")) {
      synchronized (this) {
        webSocket.sendText("3", true).join();
      }
    } else if (text.startsWith("0")) {
      synchronized (this) {
        webSocket.sendText("40", true).join();
      }
    } else if (text.startsWith("40")) {
      connected.complete(this);
    } else if (text.startsWith("44")) {
      connected.completeExceptionally(new IllegalStateException("connect refused: " + text));
    }
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
