package dev.parley.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A lean Socket.IO v5 client over Engine.IO v4's HTTP long-polling, on the JDK HttpClient with HTTP/1.1 and
 * no thread of its own: the handshake {@code GET}, then one {@code GET} held open at a time (the next one
 * goes out as soon as the previous answer is handled), and the client's packets in {@code POST}s, one at a
 * time (the protocol allows no more), those queued meanwhile joined by the record separator into the next.
 * It never upgrades. A session holds at most two HTTP connections (its long-poll and its POST); the client's
 * pool keeps them alive between requests.
 */
public final class PollingSioClient extends BenchClient {
  private static final String SEPARATOR = "\u001e";
  // More packets than this waiting for the POST in flight means the server stopped reading: fail, not grow.
  private static final int MAX_QUEUED = 10_000;
  private final HttpClient http;
  private final String endpoint;
  private final List<String> outbox = new ArrayList<>();
  private boolean posting;
  private volatile String sessionUrl = "";
  private volatile Duration pollTimeout = Duration.ofSeconds(60);
  private volatile boolean closed;
  // Written only by the handler of the session's one long-poll at a time.
  private volatile long polls;
  private volatile CompletableFuture<?> heldPoll = CompletableFuture.completedFuture(null);

  private PollingSioClient(HttpClient http, String baseUrl, BiConsumer<String, String> onEvent) {
    super(onEvent);
    this.http = http;
    this.endpoint = baseUrl + "/socket.io/?EIO=4&transport=polling";
  }

  /**
   * Opens a polling session and connects to "/"; completes once the CONNECT answer arrives, and fails if
   * the server refuses or an HTTP request fails first. Events go to {@code onEvent(name, rawJsonArray)},
   * called on {@code http}'s executor, one batch of a session at a time.
   */
  public static CompletableFuture<PollingSioClient> connect(HttpClient http, String baseUrl,
                                                           BiConsumer<String, String> onEvent) {
    PollingSioClient client = new PollingSioClient(http, baseUrl, onEvent);
    long start = System.nanoTime();
    http.sendAsync(get(client.endpoint, Duration.ofSeconds(30)), HttpResponse.BodyHandlers.ofString())
        .whenComplete(client::opened);
    return whenConnected(client, start);
  }

  /** Queues the packet for the next POST; starts that POST unless one is in flight. Thread-safe, never blocks. */
  @Override
  void send(String packet) {
    synchronized (this) {
      if (outbox.size() >= MAX_QUEUED) {
        fail(new IllegalStateException("more than " + MAX_QUEUED + " packets wait for a POST"));
        return;
      }
      outbox.add(packet);
      if (posting) {
        return;
      }
      posting = true;
    }
    post();
  }

  /** Stops polling and abandons the held {@code GET}; the server learns it from the connection closing or the heartbeat. */
  @Override
  public void close() {
    closed = true;
    heldPoll.cancel(true);
  }

  private void opened(HttpResponse<String> response, Throwable error) {
    if (!answered(response, error)) {
      return;
    }
    String open = response.body();
    String sid = field(open, "sid", true);
    if (!open.startsWith("0") || sid == null) {
      fail(new IllegalStateException("not an open packet: " + open));
      return;
    }
    sessionUrl = endpoint + "&sid=" + sid;
    String interval = field(open, "pingInterval", false);
    String timeout = field(open, "pingTimeout", false);
    if (interval != null && timeout != null) {
      // The server answers a held GET within pingInterval at the latest (with a ping); a GET held longer
      // than a whole heartbeat means the session is gone.
      pollTimeout = Duration.ofMillis(Long.parseLong(interval) + Long.parseLong(timeout) + 5_000);
    }
    handle(open);
  }

  /** The long-poll answers this session has handled so far, the handshake's aside. Thread-safe. */
  public long polls() {
    return polls;
  }

  private void polled(HttpResponse<String> response, Throwable error) {
    if (!closed && answered(response, error)) {
      polls++;
      handle(response.body());
    }
  }

  // Handles the batch before the next GET goes out, so a session's packets are handled in order.
  private void handle(String payload) {
    for (String packet : payload.split(SEPARATOR, -1)) {
      if (packet.equals("1")) {
        fail(new IllegalStateException("closed by the server"));
        return;
      }
      receive(packet);
    }
    if (!closed) {
      // The request's own future, not a dependent one: cancelling it is what aborts the exchange.
      CompletableFuture<HttpResponse<String>> poll = http.sendAsync(get(sessionUrl, pollTimeout),
          HttpResponse.BodyHandlers.ofString());
      heldPoll = poll;
      poll.whenComplete(this::polled);
    }
  }

  private void post() {
    String body;
    synchronized (this) {
      if (outbox.isEmpty() || closed) {
        posting = false;
        return;
      }
      body = String.join(SEPARATOR, outbox);
      outbox.clear();
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create(sessionUrl)).version(HttpClient.Version.HTTP_1_1)
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "text/plain;charset=UTF-8")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
      if (answered(response, error)) {
        post();
      }
    });
  }

  private boolean answered(HttpResponse<String> response, Throwable error) {
    if (error != null) {
      fail(error);
      return false;
    }
    if (response.statusCode() != 200) {
      fail(new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body()));
      return false;
    }
    return true;
  }

  private void fail(Throwable error) {
    closed = true;
    connected.completeExceptionally(error);
  }

  private static HttpRequest get(String url, Duration timeout) {
    return HttpRequest.newBuilder(URI.create(url)).version(HttpClient.Version.HTTP_1_1).timeout(timeout).GET().build();
  }

  // The value of "name" in the open packet's flat JSON object: a string's text, or a number's digits.
  private static @Nullable String field(String json, String name, boolean string) {
    String key = "\"" + name + "\":";
    int at = json.indexOf(key);
    if (at < 0) {
      return null;
    }
    int from = at + key.length() + (string ? 1 : 0);
    int to = from;
    while (to < json.length() && (string ? json.charAt(to) != '"' : Character.isDigit(json.charAt(to)))) {
      to++;
    }
    return to == from || to == json.length() ? null : json.substring(from, to);
  }
}
