package dev.parley.host.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testsupport.Timeouts;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A JDK WebSocket listener that queues every text message and records the close. */
final class RecordingListener implements WebSocket.Listener {
  private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  /** Completes with the close code the server sent, or exceptionally on an error. */
  final CompletableFuture<Integer> closed = new CompletableFuture<>();

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      texts.add(partial.toString());
      partial.setLength(0);
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
    closed.completeExceptionally(error);
  }

  /** The next text message, waiting at most {@link Timeouts#STEP}. */
  String nextText() throws InterruptedException {
    String text = texts.poll(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(text).as("a text message within %s", Timeouts.STEP).isNotNull();
    return text;
  }
}
