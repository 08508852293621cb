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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
  private final Map<String, PollingSession> sessions = new ConcurrentHashMap<>();
  // POSTs whose body is being read.
  private final AtomicInteger bodies = new AtomicInteger();

  /** Polling for the transport's config, sessions opened through {@code context}. */
  public Polling(WebSocketTransportConfig config, TransportContext context, SocketIoCodec codec) {
    this.config = config;
    this.context = context;
    this.codec = codec;
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
    PollingSession polling = new PollingSession(new EngineIoPackets(config, context, codec), codec, sessions);
    Session opened;
    try {
      opened = context.open(polling, info(request), admission);
    } catch (IllegalStateException e) {
      admission.release();
      SocketIoServlet.error(response, 503, 3, "Server shutting down");
      return;
    }
    if (!polling.start(opened)) {
      SocketIoServlet.error(response, 503, 3, "Server shutting down");
      return;
    }
    byte[] body = ("0" + new OpenPacket(opened.id(), config.allowUpgrades() ? List.of("websocket") : List.of(), config.pingInterval().toMillis(),
        config.pingTimeout().toMillis(), config.maxPayload()).encode()).getBytes(StandardCharsets.UTF_8);
    response.setStatus(200);
    response.setContentType("text/plain; charset=UTF-8");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private void post(HttpServletRequest request, HttpServletResponse response, PollingSession session)
      throws IOException {
    if (request.getContentLengthLong() > config.maxPayload()) {
      tooLarge(response, session);
      return;
    }
    if (!session.startPost()) {
      SocketIoServlet.error(response, 400, 3, "Bad request");
      return;
    }
    Session engine = session.packets().session();
    Inbound hold = engine == null ? null : engine.hold();
    if (hold == null || !hold.admitted()) {
      // The session ended since startPost: no body is read for it, nor any other.
      SocketIoServlet.error(response, 400, 3, "Bad request");
      return;
    }
    AsyncContext async = request.startAsync();
    // A body still coming after pingTimeout (the time a pong may take) holds its bytes too long: the session ends.
    async.setTimeout(config.pingTimeout().toMillis());
    ServletInputStream in = request.getInputStream();
    Body body = new Body(async, in, response, session, hold);
    async.addListener(body);
    // Registered before reading starts, so that this body is done with (and its registration cleared) before
    // the next POST of the session can register its own.
    if (session.reading(body::ended)) {
      in.setReadListener(body);
    }
  }

  private void tooLarge(HttpServletResponse response, PollingSession session) throws IOException {
    log.debug("a POST body over maxPayload ({} bytes); closing the session", config.maxPayload());
    session.fail(DisconnectReason.MESSAGE_TOO_LARGE);
    SocketIoServlet.error(response, 413, 3, "Payload too large");
  }

  private static ConnectionInfo info(HttpServletRequest request) {
    return SocketIoServlet.info(request, "polling");
  }

  /**
   * Reads a POST body as it arrives, within maxPayload and the inbound budget (each part held against it as it
   * comes), then hands its packets to the session.
   */
  private final class Body implements ReadListener, AsyncListener {
    private final AsyncContext async;
    private final ServletInputStream in;
    private final HttpServletResponse response;
    private final PollingSession session;
    private final Inbound hold;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final byte[] chunk = new byte[4096];
    private boolean done;

    Body(AsyncContext async, ServletInputStream in, HttpServletResponse response, PollingSession session,
         Inbound hold) {
      this.async = async;
      this.in = in;
      this.response = response;
      this.session = session;
      this.hold = hold;
      bodies.incrementAndGet();
    }

    // Called under the lock, once: the read is over, whichever way. The body's bytes are given back here: from
    // now on each packet it carries is admitted on its own, or the body is dropped.
    private void finish() {
      done = true;
      hold.cancel();
      bodies.decrementAndGet();
    }

    @Override
    public synchronized void onDataAvailable() throws IOException {
      while (!done && in.isReady()) {
        int n = in.read(chunk);
        if (n < 0) {
          return;
        }
        bytes.write(chunk, 0, n);
        if (bytes.size() > config.maxPayload()) {
          finish();
          tooLarge(response, session);
          async.complete();
        } else if (!hold.grow(n)) {
          finish();
          overBudget();
          async.complete();
        }
      }
    }

    // The body does not fit in the inbound budget: over maxInboundBytes alone it never could (as for a packet
    // over it once parsed), else the connection's packets not yet handled or the node's leave it no room. Either
    // way the session ends: its client takes any answer but "ok" as the end of the transport.
    private void overBudget() throws IOException {
      if (bytes.size() > context.config().maxInboundBytes()) {
        log.debug("a POST body over maxInboundBytes ({} bytes); closing the session",
            context.config().maxInboundBytes());
        session.fail(DisconnectReason.MESSAGE_TOO_LARGE);
        SocketIoServlet.error(response, 400, 3, "Bad request");
      } else {
        log.debug("no room in the inbound budget for a POST body of {} bytes so far; closing the session",
            bytes.size());
        session.fail(DisconnectReason.TRANSPORT_ERROR);
        SocketIoServlet.error(response, 503, 3, "Server busy");
      }
    }

    @Override
    public synchronized void onAllDataRead() throws IOException {
      if (done) {
        return;
      }
      finish();
      if (session.posted(bytes.toString(StandardCharsets.UTF_8))) {
        byte[] ok = "ok".getBytes(StandardCharsets.US_ASCII);
        response.setStatus(200);
        response.setContentType("text/html");
        response.setContentLength(ok.length);
        response.getOutputStream().write(ok);
      } else {
        SocketIoServlet.error(response, 400, 3, "Bad request");
      }
      async.complete();
    }

    @Override
    public void onError(Throwable error) {
      abandon("reading a POST body failed: " + error);
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      abandon("a POST body not all there within pingTimeout");
    }

    @Override
    public void onError(AsyncEvent event) {
      abandon("the POST failed: " + event.getThrowable());
    }

    @Override
    public void onComplete(AsyncEvent event) {
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }

    // The session ended while the body was being read: it is not waited for.
    void ended() {
      abandon("the session ended while its POST body was being read");
    }

    // The body will not come: the session ends, and whoever is left hears 400.
    private synchronized void abandon(String why) {
      if (done) {
        return;
      }
      finish();
      log.debug("{}; closing the session", why);
      session.fail(DisconnectReason.TRANSPORT_ERROR);
      try {
        SocketIoServlet.error(response, 400, 3, "Bad request");
      } catch (IOException | RuntimeException e) {
        log.debug("no answer to the POST: {}", e.toString());
      }
      try {
        async.complete();
      } catch (IllegalStateException e) {
        log.debug("the POST was completed already");
      }
    }
  }
}
