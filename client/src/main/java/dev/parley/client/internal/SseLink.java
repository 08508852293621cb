package dev.parley.client.internal;

import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.ParleyException;
import dev.parley.error.TransportException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.protocol.Refusal;
import dev.parley.protocol.sse.EventStreamParser;
import dev.parley.protocol.sse.SseData;
import dev.parley.protocol.support.SerialDrain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One connection to Parley's SSE transport: a {@code GET} whose {@code text/event-stream} body brings the
 * session (the {@code parley:session} event, then the channel's events), and {@code POST}s that carry the
 * client's emits and acks. Events are read as the body arrives, on the HttpClient's threads (the client's
 * {@code http} threads), one line at a time, and reported in stream order.
 *
 * <p>Posts go one at a time, in the order sent: each starts once the one before has been answered, which
 * for an emit is once the server's handlers have run. An {@code emitWithAck}'s post is answered only with
 * the ack, so the next post starts as soon as it has been handed to the HttpClient, and may overtake it.
 *
 * <p>Deliveries and the link's end are serialised by one lock, so that nothing is delivered, and the last
 * event id is not moved, once the link has ended: the client opens the next stream only after that.
 */
final class SseLink implements Link {
  private static final Logger log = LoggerFactory.getLogger(SseLink.class);
  private static final String SESSION = "parley:session";
  private static final String DISCONNECT = "parley:disconnect";

  private enum Kind { EMIT, EMIT_WITH_ACK, ACK }

  /** One queued post; {@code ackId} and {@code event} for an emitWithAck. */
  private record Post(Kind kind, byte[] body, long ackId, String event) {
  }

  private final LinkListener listener;
  private final SseConnector connector;
  private final String namespace;
  private final OutboundBuffer buffer;
  private final CompletableFuture<String> answer = new CompletableFuture<>();
  private final CountDownLatch streamDone = new CountDownLatch(1);
  private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  // Guarded by lock.
  private boolean ended;
  private boolean closing;
  // Posts go out one at a time, each after the previous one's answer, except that an emitWithAck's post
  // does not hold up the next; the pass runs on whichever thread queued a post or received an answer.
  private final SerialDrain<Post> posts = new SerialDrain<>(Runnable::run, this::sendPosts,
      error -> fail(DisconnectReason.TRANSPORT_ERROR, "could not post: " + error));
  // Whether a post's answer is awaited before the next post; written by the pass, cleared by that answer.
  private volatile boolean awaiting;
  private @Nullable CompletableFuture<?> stream;
  private Flow.@Nullable Subscription subscription;
  private boolean hasSession;
  // Set before the link is started, or under lock with the session; read by posts after that.
  private volatile @Nullable HttpClient http;
  private volatile @Nullable URI uri;
  private volatile Map<String, String> headers = Map.of();
  private volatile String channelId = "";
  private volatile String session = "";
  private volatile String token = "";
  // Set before the request is sent; then only used by the stream's subscriber, one signal at a time.
  private volatile @Nullable EventStreamParser parser;

  SseLink(LinkListener listener, SseConnector connector, OutboundBuffer buffer) {
    this.listener = listener;
    this.connector = connector;
    this.namespace = connector.namespace();
    this.buffer = buffer;
  }

  @Override
  public CompletableFuture<String> answer() {
    return answer;
  }

  // ---- the stream ----

  /** Sends the stream request; what comes back is reported to the listener. Posts carry {@code headers}. */
  void start(HttpClient client, HttpRequest request, @Nullable String lastEventId, Map<String, String> headers) {
    http = client;
    uri = request.uri();
    this.headers = headers;
    parser = new EventStreamParser(lastEventId);
    synchronized (lock) {
      if (ended) {
        streamDone.countDown();
        return;
      }
    }
    CompletableFuture<HttpResponse<Void>> response = client.sendAsync(request, this::body);
    boolean cancel;
    synchronized (lock) {
      stream = response;
      cancel = ended;
    }
    if (cancel) {
      response.cancel(true);
    }
    response.whenComplete((done, error) -> streamEnded(error));
  }

  /** Reads an event stream line by line; any other answer as a refusal. */
  private HttpResponse.BodySubscriber<Void> body(HttpResponse.ResponseInfo info) {
    int status = info.statusCode();
    String type = info.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    if (status == 200 && type.startsWith("text/event-stream")) {
      return eventStreamLines(new Lines());
    }
    return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8),
        text -> {
          refused(status, text);
          return null;
        });
  }

  /**
   * A body subscriber that hands an event stream to {@code lines} one line at a time, without its line end
   * (CR, LF or CRLF), each line decoded from UTF-8 on its own, a malformed sequence as U+FFFD. The JDK's line
   * subscriber splits the bytes read as Latin-1, one char per byte: decoding UTF-8 itself, it turns malformed
   * bytes that a buffer boundary cuts into dozens of U+FFFD each (24 to 30 chars per byte of a run of them,
   * found by SseStreamFuzzTest). CR and LF never occur inside a multi-byte UTF-8 sequence, so the lines are the
   * same.
   */
  static HttpResponse.BodySubscriber<Void> eventStreamLines(Flow.Subscriber<String> lines) {
    return HttpResponse.BodySubscribers.fromLineSubscriber(new Flow.Subscriber<String>() {
      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        lines.onSubscribe(subscription);
      }

      @Override
      public void onNext(String latin1) {
        lines.onNext(new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
      }

      @Override
      public void onError(Throwable error) {
        lines.onError(error);
      }

      @Override
      public void onComplete() {
        lines.onComplete();
      }
    }, done -> null, StandardCharsets.ISO_8859_1, null);
  }

  /** Takes the stream's lines as they come; the HttpClient calls it one signal at a time. */
  private final class Lines implements Flow.Subscriber<String> {
    @Override
    public void onSubscribe(Flow.Subscription granted) {
      boolean cancel;
      synchronized (lock) {
        subscription = granted;
        cancel = ended;
      }
      if (cancel) {
        granted.cancel();
      } else {
        granted.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(String line) {
      EventStreamParser reading = parser;
      EventStreamParser.Event event = reading == null ? null : reading.line(line);
      if (event != null) {
        deliver(event);
      }
    }

    @Override
    public void onError(Throwable error) {
      // The response future fails too: streamEnded reports it.
    }

    @Override
    public void onComplete() {
      // The response future completes too: streamEnded reports it.
    }
  }

  /**
   * A non-stream answer: a JSON {@code {"error": ...}} refusal of the handshake, whose status tells its
   * {@link Refusal} kind (reported as the CONNECT_ERROR a WebSocket client would have had), or a failure.
   */
  private void refused(int status, String text) {
    JsonNode body = parse(text);
    String message = body != null && body.path("error").isString() ? body.path("error").asString() : null;
    Refusal kind = Refusal.ofSseStatus(status);
    if (message != null && kind != null) {
      JsonNode data = body.get("data");
      synchronized (lock) {
        if (ended) {
          return;
        }
        listener.linkConnectError(this,
            new Packet.ConnectError(namespace, kind, message, data == null || data.isNull() ? null : data));
      }
      // The client normally ends the link itself; in case it did not (a link it had given up on), end it.
      end(DisconnectReason.TRANSPORT_ERROR, status, "refused: " + message);
      return;
    }
    String detail = "HTTP " + status + (message != null ? " " + message : "");
    answer.completeExceptionally(TransportException.withHttpStatus("could not connect to " + uri + ": " + detail, status, null));
    end(DisconnectReason.TRANSPORT_ERROR, status, detail);
  }

  private void streamEnded(@Nullable Throwable failure) {
    streamDone.countDown();
    Throwable error = unwrap(failure);
    if (error == null) {
      answer.completeExceptionally(new TransportException("the stream from " + uri + " ended before the "
          + connector.answerName()));
      end(DisconnectReason.TRANSPORT_CLOSE, 0, "the server ended the stream");
    } else {
      if (!(error instanceof CancellationException)) {
        answer.completeExceptionally(new TransportException("could not connect to " + uri + ": " + error, error));
      }
      end(DisconnectReason.TRANSPORT_ERROR, 0, "the stream failed: " + error);
    }
  }

  /** Hands an event to the client, unless the link has ended; keeps its id for the next stream. */
  private void deliver(EventStreamParser.Event event) {
    synchronized (lock) {
      if (ended) {
        return;
      }
      switch (event.type()) {
        case SESSION -> session(event);
        case DISCONNECT -> {
          if (hasSession) {
            listener.linkPacket(this, new Packet.Disconnect(namespace));
          }
        }
        default -> {
          if (!hasSession) {
            log.debug("event {} before {}; dropped", ClientConfig.quote(event.type()), SESSION);
            return;
          }
          connector.lastEventId(event.lastEventId());
          Packet.Event packet = event(event);
          if (packet != null) {
            listener.linkPacket(this, packet);
          }
        }
      }
    }
  }

  /** The stream's first event: {@code {"sid": channel id, "session": session id, "token": secret}}. */
  private void session(EventStreamParser.Event event) {
    if (hasSession) {
      log.debug("a second {} event; ignored", SESSION);
      return;
    }
    JsonNode body = parse(event.data());
    String sid = body == null ? "" : body.path("sid").asString("");
    String id = body == null ? "" : body.path("session").asString("");
    String secret = body == null ? "" : body.path("token").asString("");
    if (sid.isEmpty() || id.isEmpty() || secret.isEmpty()) {
      fail(DisconnectReason.PARSE_ERROR, "malformed " + SESSION + " event");
      return;
    }
    channelId = sid;
    session = id;
    token = secret;
    hasSession = true;
    listener.linkPacket(this, new Packet.Connect(namespace, JsonNodeFactory.instance.objectNode().put("sid", sid)));
  }

  /**
   * An event of the channel: its data decoded by {@link SseData} (the bare argument, or the
   * {@code {"parley:args": [...], "parley:ackId"?: n}} envelope). Empty data is no argument. Data that is
   * not JSON is dropped; a malformed envelope is a protocol error that ends the link.
   */
  private Packet.@Nullable Event event(EventStreamParser.Event event) {
    if (event.data().isEmpty()) {
      return new Packet.Event(namespace, event.type(), List.of(), null, event.id());
    }
    JsonNode value = parse(event.data());
    if (value == null) {
      log.warn("event {} with data that is not JSON; dropped", ClientConfig.quote(event.type()));
      return null;
    }
    SseData.Decoded decoded;
    try {
      decoded = SseData.decode(value);
    } catch (IllegalArgumentException e) {
      fail(DisconnectReason.PARSE_ERROR, "malformed data of event " + ClientConfig.quote(event.type()) + ": "
          + e.getMessage());
      return null;
    }
    return new Packet.Event(namespace, event.type(), decoded.args(), decoded.ackId(), event.id());
  }

  private @Nullable JsonNode parse(String text) {
    try {
      JsonNode node = connector.mapper().readTree(text);
      return node == null || node.isMissingNode() ? null : node;
    } catch (JacksonException e) {
      return null;
    }
  }

  // ---- posts ----

  /**
   * Encodes an emit ({@code {"event", "args"}}, with {@code "ack": true} for an emitWithAck) or an answer
   * to the server's emitWithAck ({@code {"ackId", "args"}}); other packets have no post (the stream itself
   * is the connection) and send nothing.
   */
  @Override
  public Outbound prepare(Packet packet) {
    Post post;
    if (packet instanceof Packet.Event event) {
      ObjectNode body = JsonNodeFactory.instance.objectNode().put("event", event.name());
      body.set("args", array(event.args()));
      if (event.ackId() != null) {
        body.put("ack", true);
      }
      post = new Post(event.ackId() == null ? Kind.EMIT : Kind.EMIT_WITH_ACK, bytes(body, event.name()),
          event.ackId() == null ? -1 : event.ackId(), event.name());
    } else if (packet instanceof Packet.Ack ack) {
      ObjectNode body = JsonNodeFactory.instance.objectNode().put("ackId", ack.id());
      body.set("args", array(ack.args()));
      post = new Post(Kind.ACK, bytes(body, "ack"), ack.id(), "");
    } else {
      return () -> { };
    }
    return () -> enqueue(post);
  }

  private static ArrayNode array(List<JsonNode> args) {
    ArrayNode array = JsonNodeFactory.instance.arrayNode(args.size());
    args.forEach(array::add);
    return array;
  }

  private byte[] bytes(ObjectNode body, String event) {
    try {
      return connector.mapper().writeValueAsBytes(body);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("event " + ClientConfig.quote(event) + " cannot be written as JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  /**
   * Queues a post; an emit takes its room in the outbound buffer, which it gives back when it is posted.
   *
   * @throws dev.parley.error.LimitExceededException if the buffer is full; nothing is queued
   */
  private void enqueue(Post post) {
    synchronized (lock) {
      if (ended || closing || !hasSession) {
        return;
      }
      if (post.kind() != Kind.ACK) {
        buffer.take(post.body().length);
      }
      // Queued under the lock, so that a closeAfterFlush either comes after it (and waits for it) or
      // has already made this post be dropped.
      posts.add(post);
    }
    posts.signal();
  }

  /** The drain's pass: sends queued posts until one must be answered first; finishes a close once all are. */
  private void sendPosts() {
    while (!awaiting) {
      boolean finish;
      synchronized (lock) {
        if (ended) {
          posts.clear();
          return;
        }
        finish = closing;
      }
      Post post = posts.poll();
      if (post == null) {
        if (finish) {
          finishClose();
        }
        return;
      }
      if (post.kind() != Kind.ACK) {
        buffer.release(post.body().length);
      }
      boolean wait = post.kind() != Kind.EMIT_WITH_ACK;
      // Set before the send: its answer may come, and clear it, before send returns.
      awaiting = wait;
      if (!send(post, wait)) {
        awaiting = false;
      }
    }
  }

  /** Starts one post; false if it was not sent (no client, or the send failed and ended the link). */
  private boolean send(Post post, boolean wait) {
    HttpClient client = http;
    if (client == null) {
      return false;
    }
    long started = System.nanoTime();
    CompletableFuture<HttpResponse<String>> response;
    try {
      response = client.sendAsync(connector.post(session, token, post.body(), headers),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      fail(DisconnectReason.TRANSPORT_ERROR, "could not post: " + e);
      return false;
    }
    inFlight.add(response);
    response.whenComplete((answered, error) -> {
      inFlight.remove(response);
      answered(post, started, answered, unwrap(error));
      if (wait) {
        awaiting = false;
        posts.signal();
      }
    });
    return true;
  }

  private void answered(Post post, long started, @Nullable HttpResponse<String> response, @Nullable Throwable error) {
    if (error instanceof CancellationException) {
      return;
    }
    if (error != null || response == null) {
      // The server or the network failed: the stream is very likely gone too. Pending acks fail with the link.
      log.debug("post to {} failed: {}", uri, String.valueOf(error));
      fail(DisconnectReason.TRANSPORT_ERROR, "a post failed: " + error);
      return;
    }
    int status = response.statusCode();
    if (post.kind() != Kind.EMIT_WITH_ACK) {
      if (status >= 300) {
        log.warn("{} of {} answered HTTP {}: {}", post.kind() == Kind.ACK ? "the ack" : "emit",
            post.kind() == Kind.ACK ? post.ackId() : ClientConfig.quote(post.event()), status, errorText(response));
      }
      return;
    }
    if (status == 204) {
      listener.linkPacket(this, new Packet.Ack(namespace, post.ackId(), List.of()));
      return;
    }
    if (status == 200) {
      JsonNode body = parse(response.body());
      if (body != null && body.isArray()) {
        List<JsonNode> args = new ArrayList<>(body.size());
        body.values().forEach(args::add);
        listener.linkPacket(this, new Packet.Ack(namespace, post.ackId(), args));
        return;
      }
    }
    listener.linkAckFailed(this, post.ackId(), ackError(post, status, started, response));
  }

  private ParleyException ackError(Post post, int status, long started, HttpResponse<String> response) {
    return switch (status) {
      case 504 -> new AckTimeoutException(post.event(), Duration.ofMillis(
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
      case 404 -> new ChannelClosedException(channelId, DisconnectReason.TRANSPORT_CLOSE);
      default -> TransportException.withHttpStatus("emitWithAck of " + ClientConfig.quote(post.event())
          + " was answered HTTP " + status
          + (status == 200 ? " with a body that is not a JSON array" : ": " + errorText(response)), status, null);
    };
  }

  private String errorText(HttpResponse<String> response) {
    JsonNode body = parse(response.body());
    return body != null && body.path("error").isString() ? body.path("error").asString() : "(no error message)";
  }

  // ---- ending ----

  /** Ends the link once; reports it unless the client is closing it. */
  private void end(DisconnectReason reason, int status, String detail) {
    boolean report;
    synchronized (lock) {
      if (ended) {
        return;
      }
      ended = true;
      report = !closing;
      posts.clear();
    }
    cancelAll();
    if (report) {
      log.debug("stream {} ended: {} ({})", session, reason.wireName(), detail);
      listener.linkClosed(this, reason,
          status > 0 ? TransportException.withHttpStatus(detail, status, null) : new TransportException(detail));
    }
  }

  @Override
  public void fail(DisconnectReason reason, String detail) {
    end(reason, 0, detail);
  }

  /** Ends the stream once the posts sent before are answered (an emitWithAck's post is cut). */
  @Override
  public void closeAfterFlush() {
    synchronized (lock) {
      if (ended) {
        return;
      }
      closing = true;
    }
    posts.signal();
  }

  private void finishClose() {
    synchronized (lock) {
      if (ended) {
        return;
      }
      ended = true;
      closing = true;
    }
    cancelAll();
  }

  @Override
  public void abort() {
    synchronized (lock) {
      closing = true;
      if (!ended) {
        ended = true;
        posts.clear();
      }
    }
    cancelAll();
  }

  private void cancelAll() {
    Flow.Subscription reading;
    CompletableFuture<?> response;
    synchronized (lock) {
      reading = subscription;
      response = stream;
    }
    if (reading != null) {
      reading.cancel();
    }
    if (response != null) {
      response.cancel(true);
    }
    for (CompletableFuture<?> post : inFlight) {
      post.cancel(true);
    }
  }

  @Override
  public boolean awaitClosed(Duration timeout) throws InterruptedException {
    synchronized (lock) {
      if (stream == null) {
        return true;
      }
    }
    return streamDone.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static @Nullable Throwable unwrap(@Nullable Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  @Override
  public String toString() {
    return "SseLink[" + uri + (session.isEmpty() ? "" : ", session " + session) + "]";
  }
}
