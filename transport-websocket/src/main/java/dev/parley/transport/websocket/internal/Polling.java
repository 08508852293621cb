package dev.parley.transport.websocket.internal;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.socketio.OpenPacket;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.spi.Admission;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Inbound;
import dev.parley.spi.Session;
import dev.parley.spi.TransportContext;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Engine.IO v4's HTTP long-polling transport: the handshake ({@code GET} without {@code sid}), long-polls
 * ({@code GET} with it) and packets from the client ({@code POST} with it), each {@link PollingSession} kept
 * by its id until it closes. The servlet has checked the origin, {@code transport} and {@code EIO}. A POST body
 * is read without holding a thread, at most {@code maxPayload} bytes (a longer one gets 413 and ends the session),
 * each part held against the inbound budget as it arrives (a body that does not fit ends the session too).
 */
public final class Polling {
  private static final Logger log = LoggerFactory.getLogger(Polling.class);

  private final WebSocketTransportConfig config;
  private final TransportContext context;
  private final SocketIoCodec codec;
  private final EngineIo engineIo;
  private final Map<String, PollingSession> sessions = new ConcurrentHashMap<>();
  // POSTs whose body is being read.
  private final AtomicInteger bodies = new AtomicInteger();

  /**
   * Polling for the transport's config, sessions opened through {@code context}; {@code heartbeats} beats for the
   * transport's sessions, polling and WebSocket alike.
   */
  public Polling(WebSocketTransportConfig config, TransportContext context, SocketIoCodec codec,
                 Heartbeats heartbeats) {
    this.config = config;
    this.context = context;
    this.codec = codec;
    this.engineIo = new EngineIo(config, context, codec, heartbeats);
  }

  /** The transport's heartbeats. */
  Heartbeats heartbeats() {
    return engineIo.heartbeats();
  }

  /** What the transport's Engine.IO sessions share. */
  EngineIo engineIo() {
    return engineIo;
  }

  /** The polling sessions open now, from the handshake to the close. Thread-safe. */
  public int sessions() {
    return sessions.size();
  }

  /** The POSTs whose body is being read now. Thread-safe. */
  public int bodies() {
    return bodies.get();
  }

  /** The long-poll {@code GET}s held open now, each waiting for something to send. Thread-safe. */
  public int heldPolls() {
    int held = 0;
    for (PollingSession session : sessions.values()) {
      if (session.polling()) {
        held++;
      }
    }
    return held;
  }

  /** The polling session {@code sid} names, or null. */
  @Nullable PollingSession session(String sid) {
    return sessions.get(sid);
  }

  /** The live polling session {@code sid} names that a WebSocket may still take over, or null. */
  @Nullable PollingSession upgradable(String sid) {
    PollingSession session = sessions.get(sid);
    return session == null || session.upgraded() ? null : session;
  }

  /** Answers one polling request whose origin, {@code transport} and {@code EIO} the servlet accepted. */
  void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String sid = request.getParameter("sid");
    String method = request.getMethod();
    if (sid == null) {
      if (!"GET".equals(method)) {
        SocketIoServlet.error(response, 400, 2, "Bad handshake method");
      } else {
        handshake(request, response);
      }
      return;
    }
    PollingSession session = sessions.get(sid);
    if (session == null) {
      SocketIoServlet.error(response, 400, 1, "Session ID unknown");
    } else if (session.upgraded()) {
      // Engine.IO's answer to a request over a transport the session has left.
      SocketIoServlet.error(response, 400, 3, "Bad request");
    } else if ("GET".equals(method)) {
      AsyncContext async = request.startAsync();
      // No container deadline: the heartbeat answers a held GET within pingInterval.
      async.setTimeout(0);
      if (!session.poll(new ServletPoll(async))) {
        SocketIoServlet.error(response, 400, 3, "Bad request");
        async.complete();
      }
    } else if ("POST".equals(method)) {
      post(request, response, session);
    } else {
      SocketIoServlet.error(response, 400, 3, "Bad request");
    }
  }

  private void handshake(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Admission admission = context.admit(request.getRemoteAddr()).orElse(null);
    if (admission == null) {
      SocketIoServlet.error(response, 429, 4, "Too many connections");
      return;
    }
    byte[] body = open(SocketIoServlet.info(request, "polling"), admission, "the Servlet API");
    if (body == null) {
      SocketIoServlet.error(response, 503, 3, "Server shutting down");
      return;
    }
    response.setStatus(200);
    response.setContentType("text/plain; charset=UTF-8");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  /**
   * Opens a polling session for a handshake the caller admitted, on whichever API it came ({@code via}, for the
   * log).
   *
   * @return the answer's body (Engine.IO's open packet), or null if the server is shutting down (the admission is
   *     then given back)
   */
  byte @Nullable [] open(ConnectionInfo info, Admission admission, String via) {
    PollingSession polling = new PollingSession(new EngineIoPackets(engineIo), codec,
        sessions);
    Session opened;
    try {
      opened = context.open(polling, info, admission);
    } catch (IllegalStateException e) {
      admission.release();
      return null;
    }
    if (!polling.start(opened)) {
      return null;
    }
    log.debug("polling session {} opened on {}", opened.id(), via);
    return ("0" + new OpenPacket(opened.id(), config.allowUpgrades() ? List.of("websocket") : List.of(),
        config.pingInterval().toMillis(), config.pingTimeout().toMillis(), config.maxPayload()).encode())
        .getBytes(StandardCharsets.UTF_8);
  }

  private void post(HttpServletRequest request, HttpServletResponse response, PollingSession session)
      throws IOException {
    Inbound hold = admitPost(request.getContentLengthLong(), session, new ServletReply(response, null));
    if (hold == null) {
      return;
    }
    AsyncContext async = request.startAsync();
    // A body still coming after pingTimeout (the time a pong may take) holds its bytes too long: the session ends.
    async.setTimeout(config.pingTimeout().toMillis());
    ServletInputStream in = request.getInputStream();
    ServletBody body = new ServletBody(body(session, hold, new ServletReply(response, async), "the Servlet API"), in);
    async.addListener(body);
    // Registered before reading starts, so that this body is done with (and its registration cleared) before
    // the next POST of the session can register its own.
    if (session.reading(body.body::ended)) {
      in.setReadListener(body);
    }
  }

  /**
   * The checks before a POST body of {@code contentLength} bytes (-1: not said) is read for {@code session}, on
   * whichever API it came: not over maxPayload, no other POST of the session being read, room for it in the inbound
   * budget to start with.
   *
   * @return the hold for the body's bytes, or null if the POST was answered through {@code refuse}
   */
  @Nullable Inbound admitPost(long contentLength, PollingSession session, PostBody.Reply refuse) {
    if (contentLength > config.maxPayload()) {
      tooLarge(session);
      refuse.error(413, 3, "Payload too large");
      return null;
    }
    if (!session.startPost()) {
      refuse.error(400, 3, "Bad request");
      return null;
    }
    Session engine = session.packets().session();
    Inbound hold = engine == null ? null : engine.hold();
    if (hold == null || !hold.admitted()) {
      // The session ended since startPost: no body is read for it, nor any other.
      refuse.error(400, 3, "Bad request");
      return null;
    }
    return hold;
  }

  /**
   * The reader of an admitted POST body, on {@code via} (for the log), counted in {@link #bodies()} until it is done
   * with.
   */
  PostBody body(PollingSession session, Inbound hold, PostBody.Reply reply, String via) {
    bodies.incrementAndGet();
    return new PostBody(this, session, hold, reply, config.maxPayload(), context.config().maxInboundBytes(), via);
  }

  /** A POST body is done with, whichever way. */
  void bodyEnded() {
    bodies.decrementAndGet();
  }

  /** A POST body over maxPayload: the session ends (the caller answers 413). */
  void tooLarge(PollingSession session) {
    log.debug("a POST body over maxPayload ({} bytes); closing the session", config.maxPayload());
    session.fail(DisconnectReason.MESSAGE_TOO_LARGE);
  }

  /** Answers a POST on the Servlet API, and completes its async request if it has one. */
  private record ServletReply(HttpServletResponse response, @Nullable AsyncContext async) implements PostBody.Reply {
    private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);

    @Override
    public void ok() {
      try {
        response.setStatus(200);
        response.setContentType("text/html");
        response.setContentLength(OK.length);
        response.getOutputStream().write(OK);
      } catch (IOException | RuntimeException e) {
        log.debug("no answer to the POST: {}", e.toString());
      } finally {
        complete();
      }
    }

    @Override
    public void error(int status, int code, String message) {
      try {
        SocketIoServlet.error(response, status, code, message);
      } catch (IOException | RuntimeException e) {
        log.debug("no answer to the POST: {}", e.toString());
      } finally {
        complete();
      }
    }

    private void complete() {
      if (async == null) {
        return;
      }
      try {
        async.complete();
      } catch (IllegalStateException e) {
        log.debug("the POST was completed already");
      }
    }
  }

  /** Reads a POST body on the Servlet API as it arrives, without holding a thread, into its {@link PostBody}. */
  private static final class ServletBody implements ReadListener, AsyncListener {
    private final PostBody body;
    private final ServletInputStream in;
    private final byte[] chunk = new byte[4096];

    ServletBody(PostBody body, ServletInputStream in) {
      this.body = body;
      this.in = in;
    }

    @Override
    public void onDataAvailable() throws IOException {
      try {
        while (!body.done() && in.isReady()) {
          int n = in.read(chunk);
          if (n < 0 || !body.take(ByteBuffer.wrap(chunk, 0, n))) {
            return;
          }
        }
      } catch (IOException | IllegalStateException e) {
        // Answered meanwhile on another thread (the session ended, the deadline passed), which completed the
        // request under this read: nothing is lost. Otherwise the container hears of it, and onError abandons.
        if (!body.done()) {
          throw e;
        }
      }
    }

    @Override
    public void onAllDataRead() {
      body.complete();
    }

    @Override
    public void onError(Throwable error) {
      body.abandon("reading a POST body failed: " + error);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      body.abandon("a POST body not all there within pingTimeout");
    }

    @Override
    public void onError(AsyncEvent event) {
      body.abandon("the POST failed: " + event.getThrowable());
    }

    @Override
    public void onComplete(AsyncEvent event) {
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }
  }
}
