package dev.parley.transport.sse.internal;

import dev.parley.error.ChannelClosedException;
import dev.parley.error.LimitExceededException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.JsonCost;
import dev.parley.protocol.LogSafe;
import dev.parley.protocol.Packet;
import dev.parley.protocol.Refusal;
import dev.parley.protocol.sse.PostBody;
import dev.parley.protocol.sse.SseEncoder;
import dev.parley.spi.Admission;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Inbound;
import dev.parley.spi.OriginPolicy;
import dev.parley.spi.Session;
import dev.parley.spi.TransportContext;
import dev.parley.transport.sse.SseTransport;
import dev.parley.transport.sse.SseTransportConfig;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Streams (GET), posts (POST) and CORS preflights (OPTIONS) under the transport's path. */
public final class SseServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(SseServlet.class);
  // The fields of a POST relayed to the node that holds its stream.
  private static final String RELAY_SESSION = "session";
  private static final String RELAY_TOKEN = "token";
  private static final String RELAY_BODY = "body";
  // Relayed POSTs this node waits on at once; beyond, 503.
  private static final int MAX_RELAYING = 1000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final transient SseTransportConfig config;
  private final transient TransportContext context;
  private final transient SseEncoder encoder;
  private final transient OriginPolicy origins;
  private final transient SessionTokens tokens;
  private final transient Map<String, SseStream> streams = new ConcurrentHashMap<>();
  // POSTs whose response waits on the handlers (asynchronous), for stats.
  private final transient AtomicInteger waitingPosts = new AtomicInteger();
  // POSTs whose body is being read, for stats.
  private final transient AtomicInteger readingPosts = new AtomicInteger();
  private final transient AtomicInteger relaying = new AtomicInteger();
  // One timer for every stream's heartbeat, not a timer per stream. Guarded by this.
  private transient @org.jspecify.annotations.Nullable Disposable heartbeats;
  // Written under this object's lock.
  private transient volatile boolean stopped;

  public SseServlet(SseTransportConfig config, TransportContext context) {
    this.config = config;
    this.context = context;
    this.encoder = new SseEncoder(context.jsonMapper());
    this.origins = new OriginPolicy(config.allowedOrigins());
    this.tokens = new SessionTokens(context.nodeId());
    context.onRelay(SseTransport.NAME, this::relayed);
  }

  SseEncoder encoder() {
    return encoder;
  }

  OriginPolicy origins() {
    return origins;
  }

  public int openStreams() {
    return streams.size();
  }

  /** POSTs whose answer waits for the handlers. */
  public int waitingPosts() {
    return waitingPosts.get();
  }

  /** POSTs whose body is being read. */
  public int readingPosts() {
    return readingPosts.get();
  }

  /** Ends every open stream (the transport is stopping). */
  public void closeAll() {
    synchronized (this) {
      stopped = true;
      if (heartbeats != null) {
        heartbeats.dispose();
        heartbeats = null;
      }
    }
    for (SseStream stream : List.copyOf(streams.values())) {
      stream.close(DisconnectReason.SERVER_SHUTTING_DOWN);
    }
  }

  void forget(SseStream stream) {
    Session session = stream.session();
    if (session != null && streams.remove(session.id(), stream) && streams.isEmpty()) {
      stopHeartbeats();
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String origin = request.getHeader("Origin");
    if (!origins.allows(origin, request.getScheme(), request.getServerName(),
        request.getServerPort())) {
      log.debug("forbidden origin {}", LogSafe.quote(origin));
      send(response, 403, "forbidden origin");
      return;
    }
    if (origin != null) {
      // "*" lets any site read the stream, but never with the user's cookies: only listed origins get those.
      boolean credentials = origins.withCredentials(origin);
      response.setHeader("Access-Control-Allow-Origin", credentials ? origin : "*");
      if (credentials) {
        response.setHeader("Access-Control-Allow-Credentials", "true");
        response.setHeader("Vary", "Origin");
      }
    }
    switch (request.getMethod()) {
      case "GET" -> stream(request, response);
      case "POST" -> post(request, response);
      case "OPTIONS" -> preflight(response);
      default -> {
        response.setHeader("Allow", "GET, POST, OPTIONS");
        send(response, 405, "method not allowed: use GET for a stream, POST to send");
      }
    }
  }

  private static void preflight(HttpServletResponse response) {
    response.setStatus(204);
    response.setHeader("Access-Control-Allow-Methods", "GET, POST");
    response.setHeader("Access-Control-Allow-Headers",
        "Content-Type, X-Parley-Token, X-Parley-Session, Last-Event-ID, Authorization");
    response.setHeader("Access-Control-Max-Age", "600");
  }

  // ---- streams ----

  private void stream(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String accept = request.getHeader("Accept");
    if (accept == null || !accept.toLowerCase(Locale.ROOT).contains("text/event-stream")) {
      send(response, 406, "a stream needs Accept: text/event-stream");
      return;
    }
    String namespace = request.getParameter("ns") == null ? "/" : request.getParameter("ns");
    AsyncContext async = request.startAsync();
    async.setTimeout(0);
    ServletOutputStream out = response.getOutputStream();
    ServletStream stream = new ServletStream(this, async, response, out, namespace);
    async.addListener(stream);
    out.setWriteListener(stream);
    open(stream, request.getRemoteAddr(), info(request));
  }

  /**
   * Opens a stream whose response is held (by the Servlet or the core path): takes a place of its address, opens
   * its session and hands the engine the namespace's CONNECT; a stream refused on the way is answered and ended.
   */
  void open(SseStream stream, String remoteAddress, ConnectionInfo info) {
    Admission admission = context.admit(remoteAddress).orElse(null);
    if (admission == null) {
      stream.refuse(429, "too many connections from this address");
      return;
    }
    Session session;
    try {
      session = context.open(stream, info, admission);
    } catch (IllegalStateException e) {
      stream.refuse(503, "server shutting down");
      return;
    }
    stream.bind(session);
    streams.put(session.id(), stream);
    if (stream.ended()) {
      // Ended while it was being bound: its end found no session to forget.
      if (streams.remove(session.id(), stream) && streams.isEmpty()) {
        stopHeartbeats();
      }
      return;
    }
    startHeartbeats();
    session.receive(new Packet.Connect(stream.namespace(), null));
  }

  // The timer runs while there are streams (a server with none holds no timer), decided under the lock after
  // each change of the streams that could start or stop it.
  private synchronized void startHeartbeats() {
    if (heartbeats == null && !stopped && !streams.isEmpty()) {
      long beat = config.heartbeatInterval().toMillis();
      heartbeats = context.scheduler().schedulePeriodically(this::beat, beat, beat, TimeUnit.MILLISECONDS);
    }
  }

  private synchronized void stopHeartbeats() {
    Disposable timer = heartbeats;
    if (timer != null && streams.isEmpty()) {
      timer.dispose();
      heartbeats = null;
    }
  }

  // A heartbeat for every open stream; one that is still writing the last one gets none.
  private void beat() {
    for (SseStream stream : streams.values()) {
      stream.ping();
    }
  }

  void openResponse(HttpServletResponse response) {
    response.setStatus(200);
    response.setContentType("text/event-stream");
    response.setCharacterEncoding("UTF-8");
    response.setHeader("Cache-Control", "no-cache");
    response.setHeader("X-Accel-Buffering", "no");
  }

  byte[] preamble(String channelId, String sessionId) {
    ObjectNode hello = JsonNodeFactory.instance.objectNode()
        .put("sid", channelId).put("session", sessionId).put("token", tokens.of(sessionId));
    return SseStream.utf8("retry: " + config.retry().toMillis() + "\n\n"
        + new String(SseEncoder.block(null, "parley:session", hello.toString()), StandardCharsets.UTF_8));
  }

  /** The HTTP status a refused handshake is answered with, by why it was refused ({@link Refusal#sseStatus()}). */
  static int status(Refusal refusal) {
    return refusal.sseStatus();
  }

  void errorResponse(HttpServletResponse response, int status) {
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
  }

  byte[] errorBody(Packet.ConnectError error) {
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("error", error.message());
    if (error.data() != null) {
      body.set("data", error.data());
    }
    return SseStream.utf8(body.toString());
  }

  byte[] json(String text) {
    return SseStream.utf8(text);
  }

  // ---- posts ----

  /*
   * A POST is judged on what is cheap before its body is read: the content type, then the session and its
   * token (404, 403), then the length it declares (413). Only then is the body read, without holding a
   * thread (PostReader), within maxPostBody and postBodyTimeout, while the request holds a place of its
   * address. The body's cost once parsed is then admitted by the engine (rate limit, inbound byte budget)
   * before it is parsed.
   */
  private void post(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (!isJson(request.getContentType())) {
      send(response, 415, "the body must be application/json");
      return;
    }
    // The query string only: with a JSON body, getParameter cannot read the body as a form.
    // ?sid= holds the session id, as in Engine.IO; the "sid" of the parley:session event is the channel id.
    String sessionId = request.getParameter("sid") != null ? request.getParameter("sid")
        : request.getHeader("X-Parley-Session");
    SseStream stream = sessionId == null ? null : streams.get(sessionId);
    String token = token(request);
    String holder = token == null ? null : SessionTokens.node(token);
    if (stream == null && sessionId != null && holder != null && !holder.equals(context.nodeId()) && !stopped
        && context.hasOtherNodes()) {
      // Another node's stream, by its token: behind a load balancer without sticky sessions. The body is read
      // here, within the same limits as any post's, and that node answers; a token naming this node, or none,
      // is answered here before the body is read (404, 403), as a single node always does.
      relay(request, response, sessionId, token, holder);
      return;
    }
    if (stream == null || stream.session() == null || stream.ended()) {
      send(response, 404, "unknown or closed session");
      return;
    }
    if (!tokens.matches(sessionId, token == null ? "" : token)) {
      log.debug("wrong token for session {}", LogSafe.quote(sessionId));
      send(response, 403, "wrong token for this session");
      return;
    }
    read(request, response, (async, body) -> received(async, stream, body));
  }

  /**
   * Reads a POST's body without holding a thread (PostReader), within maxPostBody (413 at once if it declares
   * more) and postBodyTimeout, while the request holds a place of its address (429 if it has none), then hands it
   * to {@code whole}.
   */
  private void read(HttpServletRequest request, HttpServletResponse response, BiConsumer<AsyncContext, byte[]> whole)
      throws IOException {
    long length = request.getContentLengthLong();
    if (length > config.maxPostBody()) {
      response.setHeader("Connection", "close");
      send(response, 413, tooLargeMessage());
      return;
    }
    Admission place = context.admit(request.getRemoteAddr()).orElse(null);
    if (place == null) {
      response.setHeader("Retry-After", "1");
      response.setHeader("Connection", "close");
      send(response, 429, "too many connections from this address");
      return;
    }
    AsyncContext async;
    try {
      async = request.startAsync();
      async.setTimeout(0);
    } catch (RuntimeException e) {
      place.release();
      throw e;
    }
    readingPosts.incrementAndGet();
    new PostReader(this, async, body -> whole.accept(async, body), place, config.maxPostBody(), length)
        .start(config.postBodyTimeout().toMillis());
  }

  // ---- posts for another node's stream ----

  private void relay(HttpServletRequest request, HttpServletResponse response, String sessionId, String token,
                     String holder) throws IOException {
    String address = request.getRemoteAddr();
    read(request, response, (async, body) -> relayBody(async, address, sessionId, token, holder, body));
  }

  // The body, read: to the node the token names, holding a place of the client's address until it answers (so
  // that one address has at most maxConnectionsPerAddress relays waiting), and within this node's relay budget.
  private void relayBody(AsyncContext async, String address, String sessionId, String token, String holder,
                         byte[] body) {
    Admission place = context.admit(address).orElse(null);
    if (place == null) {
      complete(async, new PostAnswer(429, "{\"error\":\"too many connections from this address\"}", "1"));
      return;
    }
    if (relaying.incrementAndGet() > MAX_RELAYING) {
      relaying.decrementAndGet();
      place.release();
      complete(async, new PostAnswer(503, "{\"error\":\"server busy\"}", "1"));
      return;
    }
    // The token's digest travels, not the token: the bus's documents hold no secret of a client's.
    ObjectNode relayed = JsonNodeFactory.instance.objectNode().put(RELAY_SESSION, sessionId)
        .put(RELAY_TOKEN, SessionTokens.digest(token)).put(RELAY_BODY, Base64.getEncoder().encodeToString(body));
    waitingPosts.incrementAndGet();
    // Given back before the answer is written, as for a post to this node's own stream.
    Runnable settle = once(() -> {
      place.release();
      relaying.decrementAndGet();
      waitingPosts.decrementAndGet();
    });
    // The other node waits up to postAckTimeout for an ack; the bus's trips on top.
    context.relay(SseTransport.NAME, holder, relayed, config.postAckTimeout().plus(context.config().clusterTimeout()))
        .doFinally(signal -> settle.run())
        .subscribe(
            answer -> {
              settle.run();
              complete(async, answer.map(PostAnswer::of).orElse(PostAnswer.UNKNOWN_SESSION));
            },
            error -> {
              settle.run();
              log.warn("relaying a POST to node {} failed: {}", LogSafe.quote(holder), error.getMessage());
              complete(async, PostAnswer.error(504, "the node holding this session did not answer"));
            });
  }

  /** A POST another node read for a stream of this node's: answered as if it had come here, or empty if not ours. */
  private Mono<JsonNode> relayed(JsonNode request) {
    String sessionId = request.path(RELAY_SESSION).asString("");
    SseStream stream = streams.get(sessionId);
    if (stream == null) {
      return Mono.empty();
    }
    if (!tokens.matchesDigest(sessionId, request.path(RELAY_TOKEN).asString(""))) {
      log.debug("wrong token for session {} (relayed)", LogSafe.quote(sessionId));
      return Mono.just(PostAnswer.error(403, "wrong token for this session").travelling());
    }
    byte[] body;
    try {
      body = Base64.getDecoder().decode(request.path(RELAY_BODY).asString(""));
    } catch (IllegalArgumentException e) {
      return Mono.just(PostAnswer.error(400, "the body could not be read").travelling());
    }
    if (body.length > config.maxPostBody()) {
      return Mono.just(PostAnswer.error(413, tooLargeMessage()).travelling());
    }
    return handle(stream, body).map(PostAnswer::travelling);
  }

  /** Whether a Content-Type is JSON: {@code application/json}, in any case, with or without parameters. */
  static boolean isJson(@org.jspecify.annotations.Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
    return type.equalsIgnoreCase("application/json");
  }

  private String tooLargeMessage() {
    return "the body is over " + config.maxPostBody() + " bytes";
  }

  /** Runs {@code task} on the server's scheduler after {@code millis}. */
  Disposable schedule(Runnable task, long millis) {
    return context.scheduler().schedule(task, millis, TimeUnit.MILLISECONDS);
  }

  /** A PostReader is done reading, whichever way. */
  void readEnded() {
    readingPosts.decrementAndGet();
  }

  /** The body went over maxPostBody while it was read (a chunked body has no length to judge first). */
  void tooLarge(AsyncContext async) {
    complete(async, response -> {
      response.setHeader("Connection", "close");
      send(response, 413, tooLargeMessage());
    });
  }

  /** The body was not all there within postBodyTimeout: the connection goes, with what is left unread. */
  void timedOut(AsyncContext async) {
    complete(async, response -> {
      response.setHeader("Connection", "close");
      send(response, 408, "the body did not arrive within " + config.postBodyTimeout().toMillis() + " ms");
    });
  }

  /** The read failed: the client has gone, the container gave up on it, or the server is stopping. */
  void unreadable(AsyncContext async, Throwable error) {
    complete(async, response -> {
      response.setHeader("Connection", "close");
      if (error instanceof RejectedExecutionException) {
        send(response, 503, "server shutting down");
      } else {
        send(response, 400, "the body could not be read");
      }
    });
  }

  /** A whole body, read: admitted by the engine, parsed, handed over, answered. */
  void received(AsyncContext async, SseStream stream, byte[] body) {
    handle(stream, body).subscribe(answer -> complete(async, answer), error -> failed(async, error));
  }

  // What a body gets: the same whichever node read it.
  private Mono<PostAnswer> handle(SseStream stream, byte[] body) {
    Session session = stream.session();
    if (session == null || stream.ended()) {
      return Mono.just(PostAnswer.UNKNOWN_SESSION);
    }
    Inbound inbound = session.admit(stream.namespace(), false, null, JsonCost.of(body));
    Inbound.Refusal refusal = inbound.refusal();
    if (refusal != null) {
      return Mono.just(PostAnswer.refused(refusal));
    }
    PostBody parsed;
    try {
      parsed = PostBody.parse(context.jsonMapper(), body);
    } catch (PostBody.BadPostException e) {
      inbound.cancel();
      return Mono.just(PostAnswer.error(400, e.getMessage()));
    } catch (Throwable e) {
      inbound.cancel();
      log.warn("parsing a POST body failed", e);
      return Mono.just(PostAnswer.error(500, "internal server error"));
    }
    if (parsed instanceof PostBody.Answer answer) {
      boolean known;
      try {
        known = session.acknowledge(new Packet.Ack(stream.namespace(), answer.ackId(), answer.args()));
      } finally {
        inbound.cancel();
      }
      return Mono.just(known ? PostAnswer.NO_CONTENT : PostAnswer.error(400, "unknown ack id"));
    }
    PostBody.Emit emit = (PostBody.Emit) parsed;
    Mono<List<JsonNode>> handled;
    try {
      handled = session.request(stream.namespace(), emit.event(), emit.args(), emit.awaitAck(), inbound);
    } catch (RuntimeException e) {
      inbound.cancel();
      return Mono.error(e);
    }
    waitingPosts.incrementAndGet();
    // The engine gives the bytes back when the reply completes, a moment after this: given back before the answer
    // is written, a client that posts again once it has its answer finds them free. The count too: a client that
    // has its answer sees the post no longer waiting.
    Runnable settle = once(() -> {
      inbound.cancel();
      waitingPosts.decrementAndGet();
    });
    return handled
        .map(java.util.Optional::of)
        .defaultIfEmpty(java.util.Optional.empty())
        .timeout(config.postAckTimeout(), context.scheduler())
        .map(reply -> {
          settle.run();
          return reply.map(args -> PostAnswer.reply(context.jsonMapper(), args)).orElse(PostAnswer.NO_CONTENT);
        })
        .onErrorResume(error -> {
          settle.run();
          return Mono.just(failure(error));
        })
        .doFinally(signal -> settle.run());
  }

  /** {@code action}, run by the first call only. */
  private static Runnable once(Runnable action) {
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        action.run();
      }
    };
  }

  /** Handing a POST to the engine failed unexpectedly: 500, and the request ends. */
  void failed(AsyncContext async, Throwable error) {
    log.warn("handling a POST failed", error);
    complete(async, response -> send(response, 500, "internal server error"));
  }

  private interface Answer {
    void write(HttpServletResponse response) throws IOException;
  }

  // Writes an answer and completes the request, whatever happens: a request left incomplete holds its
  // connection until the client gives up.
  private static void complete(AsyncContext async, Answer answer) {
    try {
      HttpServletResponse response = (HttpServletResponse) async.getResponse();
      if (!response.isCommitted()) {
        answer.write(response);
      }
    } catch (IOException | RuntimeException e) {
      log.debug("answer failed", e);
    } finally {
      try {
        async.complete();
      } catch (IllegalStateException e) {
        log.debug("request already complete");
      }
    }
  }

  private PostAnswer failure(Throwable error) {
    if (error instanceof TimeoutException) {
      return PostAnswer.error(504, "no ack within " + config.postAckTimeout().toMillis() + " ms");
    } else if (error instanceof IllegalArgumentException) {
      return PostAnswer.error(400, error.getMessage());
    } else if (error instanceof ChannelClosedException) {
      return PostAnswer.UNKNOWN_SESSION;
    } else if (error instanceof LimitExceededException) {
      return PostAnswer.RATE_LIMITED;
    }
    log.warn("post failed", error);
    return PostAnswer.error(500, "internal server error");
  }

  // Writes an answer and completes the request.
  private static void complete(AsyncContext async, PostAnswer answer) {
    complete(async, response -> {
      if (answer.retryAfter() != null) {
        response.setHeader("Retry-After", answer.retryAfter());
      }
      if (answer.body() == null) {
        response.setStatus(answer.status());
      } else {
        write(response, answer.status(), answer.body());
      }
    });
  }

  private static @org.jspecify.annotations.Nullable String token(HttpServletRequest request) {
    String token = request.getHeader("X-Parley-Token");
    String authorization = request.getHeader("Authorization");
    if (token == null && authorization != null && authorization.startsWith("Bearer ")) {
      token = authorization.substring("Bearer ".length()).trim();
    }
    return token;
  }

  private static void send(HttpServletResponse response, int status, String message) throws IOException {
    write(response, status, JsonNodeFactory.instance.objectNode().put("error", message).toString());
  }

  private static void write(HttpServletResponse response, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  static ConnectionInfo info(HttpServletRequest request) {
    return ConnectionInfo.http("sse", request.getRemoteAddr() + ":" + request.getRemotePort(),
        request.getRequestURI(), Collections.list(request.getHeaderNames()),
        name -> Collections.list(request.getHeaders(name)), request.getParameterMap());
  }

}
