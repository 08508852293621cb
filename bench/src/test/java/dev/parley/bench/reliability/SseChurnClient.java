package dev.parley.bench.reliability;

import dev.parley.protocol.sse.EventStreamParser;
import dev.parley.testsupport.EventStreamSubscriber;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The lightest SSE client that does the real protocol, for churn: one {@code text/event-stream} read
 * line by line on the JDK {@link HttpClient} (no thread of its own, {@link EventStreamSubscriber}), the {@code parley:session} event's
 * session id and token, and POSTs that ask for the handler's ack. Closing cancels the stream, as
 * {@code EventSource.close()} does. Thread-safe.
 */
final class SseChurnClient extends EventStreamSubscriber implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http;
  private final String url;
  private final CompletableFuture<SseChurnClient> opened = new CompletableFuture<>();
  private volatile String session = "";
  private volatile String token = "";

  private SseChurnClient(HttpClient http, String url) {
    super(null);
    this.http = http;
    this.url = url;
  }

  /** Opens a stream on namespace {@code /}; completes once the node has answered it with its session. */
  static CompletableFuture<SseChurnClient> open(HttpClient http, String url) {
    SseChurnClient client = new SseChurnClient(http, url);
    HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/sse/")).header("Accept", "text/event-stream")
        .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(client)).whenComplete((response, error) -> {
      if (error != null) {
        client.opened.completeExceptionally(error);
      } else if (response.statusCode() != 200) {
        client.opened.completeExceptionally(new IOException("stream refused: " + response.statusCode()));
      }
    });
    return client.opened;
  }

  /**
   * Sends {@code {"event": event, "args": args, "ack": true}} and returns the ack's JSON array.
   *
   * @throws IOException if the answer is not 200
   */
  String post(String event, String argsJsonArray) throws IOException, InterruptedException {
    String body = "{\"event\":\"" + event + "\",\"args\":" + argsJsonArray + ",\"ack\":true}";
    HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/sse/?sid=" + session))
        .header("Content-Type", "application/json").header("X-Parley-Token", token)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("POST " + event + ": " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  @Override
  public void close() {
    cancel();
  }

  @Override
  protected void event(EventStreamParser.Event event) {
    if (event.type().equals("parley:session")) {
      JsonNode hello = JSON.readTree(event.data());
      session = hello.path("session").asString();
      token = hello.path("token").asString();
      opened.complete(this);
    }
  }

  @Override
  public void onError(Throwable error) {
    opened.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    opened.completeExceptionally(new IOException("the stream ended before its session event"));
  }
}
