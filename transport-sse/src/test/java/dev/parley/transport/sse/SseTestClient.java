package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testsupport.SseParser;
import dev.parley.testsupport.SseParser.SseEvent;
import dev.parley.testsupport.Timeouts;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An {@code EventSource} stand-in over the JDK {@link HttpClient}: opens a stream with
 * {@code Accept: text/event-stream} (and optionally {@code Last-Event-ID}), parses it with
 * {@link SseParser} into a queue of events and a queue of comments, keeps every raw byte, remembers the
 * {@code parley:session} ids and token, and posts JSON to the session. No thread of its own: bytes are
 * parsed on the client's I/O thread as they arrive.
 */
final class SseTestClient implements AutoCloseable {
  /** How long anything a test waits for may take. */
  static final Duration TIMEOUT = Timeouts.STEP;
  static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final HttpClient http;
  private final URI uri;
  private final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> comments = new LinkedBlockingQueue<>();
  private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
  private final SseParser parser = new SseParser(events::add, comments::add);
  private final CompletableFuture<Void> ended = new CompletableFuture<>();
  private final boolean keepRaw;
  private volatile HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
  private volatile Flow.@Nullable Subscription subscription;
  private volatile boolean cancelled;
  private @Nullable String channelId;
  private @Nullable String sessionId;
  private @Nullable String token;

  private SseTestClient(HttpClient http, URI uri, boolean keepRaw) {
    this.http = http;
    this.uri = uri;
    this.keepRaw = keepRaw;
  }

  /** An HTTP/1.1 client, as a browser's EventSource uses, with no h2c upgrade attempt. */
  static HttpClient newHttpClient() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(TIMEOUT).build();
  }

  /**
   * Opens a stream, expects 200 and the {@code parley:session} event, and remembers its ids.
   *
   * @param headers name/value pairs added to the request
   */
  static SseTestClient open(HttpClient http, URI uri, String... headers) throws Exception {
    SseTestClient client = connect(http, uri, true, headers).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(client.statusCode()).as("stream status of %s", uri).isEqualTo(200);
    client.awaitSession();
    return client;
  }

  /**
   * Starts opening a stream without waiting; the future completes with the response headers.
   *
   * @param keepRaw whether every byte is kept for {@link #raw()}
   */
  static CompletableFuture<SseTestClient> connect(HttpClient http, URI uri, boolean keepRaw, String... headers) {
    SseTestClient client = new SseTestClient(http, uri, keepRaw);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET();
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofPublisher()).thenApply(response -> {
      client.response = response;
      response.body().subscribe(client.new Reader());
      return client;
    });
  }

  /** Waits for the {@code parley:session} event, which must be the first, and remembers its fields. */
  SseTestClient awaitSession() throws InterruptedException {
    SseEvent hello = next();
    assertThat(hello.event()).as("the first event").isEqualTo("parley:session");
    assertThat(hello.id()).isNull();
    JsonNode json = MAPPER.readTree(hello.data());
    channelId = json.path("sid").asString();
    sessionId = json.path("session").asString();
    token = json.path("token").asString();
    return this;
  }

  int statusCode() {
    return response.statusCode();
  }

  HttpResponse<?> response() {
    return response;
  }

  URI uri() {
    return uri;
  }

  /** The channel id ({@code sid} of {@code parley:session}). */
  String channelId() {
    return require(channelId);
  }

  /** The session id, which posts name with {@code ?sid=}. */
  String sessionId() {
    return require(sessionId);
  }

  /** The secret that posts carry in {@code X-Parley-Token}. */
  String token() {
    return require(token);
  }

  /** The WHATWG last event ID so far: what a browser would send as {@code Last-Event-ID}. */
  String lastEventId() {
    synchronized (parser) {
      return parser.lastEventId();
    }
  }

  /** The last {@code retry:} value, or -1. */
  long retry() {
    synchronized (parser) {
      return parser.retry();
    }
  }

  /** Every byte received so far. */
  byte[] raw() {
    synchronized (parser) {
      return raw.toByteArray();
    }
  }

  String rawText() {
    return new String(raw(), StandardCharsets.UTF_8);
  }

  /** The next event, waited for up to {@link #TIMEOUT}. */
  SseEvent next() throws InterruptedException {
    SseEvent event = events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(event).as("an event arrived on %s within %s; stream so far:%n%s", uri, TIMEOUT, rawText())
        .isNotNull();
    return event;
  }

  /** The next event, which must have this name. */
  SseEvent next(String name) throws InterruptedException {
    SseEvent event = next();
    assertThat(event.event()).as("event %s", event).isEqualTo(name);
    return event;
  }

  /** The next event if one arrives within {@code wait}, else null. */
  @Nullable SseEvent poll(Duration wait) throws InterruptedException {
    return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Events received and not yet taken. */
  int pending() {
    return events.size();
  }

  /** Takes every event received so far. */
  List<SseEvent> drain() {
    List<SseEvent> out = new ArrayList<>();
    events.drainTo(out);
    return out;
  }

  /** The next comment line (without its colon), waited for up to {@link #TIMEOUT}. */
  String nextComment() throws InterruptedException {
    String comment = comments.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(comment).as("a comment arrived within %s", TIMEOUT).isNotNull();
    return comment;
  }

  /** Completes when the server ends the stream (normally or not). */
  CompletableFuture<Void> ended() {
    return ended;
  }

  /** Posts a JSON body to this client's session with its token. */
  HttpResponse<String> post(String json) throws Exception {
    return send(postRequest(json));
  }

  /** A POST to this client's session, with its token and a JSON body, to adjust before sending. */
  HttpRequest.Builder postRequest(String json) {
    return HttpRequest.newBuilder(postUri(sessionId()))
        .header("Content-Type", "application/json")
        .header("X-Parley-Token", token())
        .timeout(TIMEOUT)
        .POST(HttpRequest.BodyPublishers.ofString(json));
  }

  /** The URL posts use: the stream's path with {@code ?sid=}. */
  URI postUri(String sid) {
    return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath() + "?sid=" + sid);
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Sends {@code {"event": name, "args": [...]}}; the handler's sync ack, if any, is the 200 body. */
  HttpResponse<String> emit(String event, Object... args) throws Exception {
    return post(body(event, false, args));
  }

  /** Sends {@code {"event": name, "args": [...], "ack": true}}: the response waits for a late ack. */
  HttpResponse<String> emitAwaitingAck(String event, Object... args) throws Exception {
    return post(body(event, true, args));
  }

  static String body(String event, boolean ack, Object... args) {
    ObjectNode body = MAPPER.createObjectNode().put("event", event);
    ArrayNode array = body.putArray("args");
    for (Object arg : args) {
      array.add(MAPPER.valueToTree(arg));
    }
    if (ack) {
      body.put("ack", true);
    }
    return MAPPER.writeValueAsString(body);
  }

  /**
   * Round trip through the channel's handlers ({@code echo}): once it returns, the connection handlers
   * have run (they run before any event), so the channel has joined its room.
   */
  void sync() throws Exception {
    HttpResponse<String> echoed = emit("echo", "sync");
    assertThat(echoed.statusCode()).as(echoed.body()).isEqualTo(200);
  }

  /** Closes the stream from the client's side, like {@code EventSource.close()}. */
  @Override
  public void close() {
    cancelled = true;
    Flow.Subscription current = subscription;
    if (current != null) {
      current.cancel();
    }
  }

  private static String require(@Nullable String value) {
    assertThat(value).as("the parley:session event was received").isNotNull();
    return value;
  }

  private final class Reader implements Flow.Subscriber<List<ByteBuffer>> {
    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (cancelled) {
        s.cancel();
      } else {
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      synchronized (parser) {
        for (ByteBuffer buffer : buffers) {
          byte[] bytes = new byte[buffer.remaining()];
          buffer.get(bytes);
          if (keepRaw) {
            raw.writeBytes(bytes);
          }
          parser.feed(bytes);
        }
      }
    }

    @Override
    public void onError(Throwable error) {
      ended.complete(null);
    }

    @Override
    public void onComplete() {
      ended.complete(null);
    }
  }
}
