package dev.parley.transport.websocket.internal;

import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.spi.Admission;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Inbound;
import dev.parley.spi.Mount;
import dev.parley.spi.OriginPolicy;
import dev.parley.spi.TransportContext;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * The transport's busiest requests on Jetty's core API, ahead of the Servlet context, in a host that offers a place
 * for such handlers (Parley's Jetty host, as a {@link Handler.Sequence} through its {@link Mount}): fresh WebSocket
 * upgrades (a connect then costs no Servlet dispatch, and no pool thread waits for the switch to be answered),
 * polling handshakes, and the long-poll {@code GET}s and {@code POST}s of live sessions (a held poll keeps no
 * Servlet request, response and async state, and a session's connection no Servlet channel: about 2 KiB a session
 * in all). Only well-formed requests at the transport's path from allowed origins are taken here; anything else
 * (preflights, forms, the upgrade of a polling session, the client script, every refusal) goes on to the
 * transport's servlet, which answers it as in any container.
 */
public final class CoreRequests extends Handler.Abstract {
  private static final HttpField HTML = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/html");
  private static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");
  private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);

  private final CoreUpgrade upgrade;
  private final Polling polling;
  private final OriginPolicy origins;
  private final String path;
  private final String bare;

  private CoreRequests(CoreUpgrade upgrade, Polling polling, String path) {
    this.upgrade = upgrade;
    this.polling = polling;
    this.origins = new OriginPolicy(upgrade.config.allowedOrigins());
    this.path = path;
    this.bare = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /**
   * Adds the transport's core requests at its path to the host's core handlers, if {@code mount} offers them and
   * the context is Jetty 12 EE10's.
   *
   * @return whether it did
   * @throws LinkageError if Jetty's classes are not all there (the servlet then takes every request)
   */
  public static boolean mount(Mount mount, ServletContext servletContext, WebSocketTransportConfig config,
                              TransportContext context, SocketIoCodec codec, AtomicInteger openSockets,
                              Polling polling) {
    Handler.Sequence handlers = mount.unwrap(Handler.Sequence.class).orElse(null);
    if (handlers == null) {
      return false;
    }
    CoreUpgrade upgrade = CoreUpgrade.of(servletContext, config, context, codec, openSockets,
        polling.engineIo());
    if (upgrade == null) {
      return false;
    }
    handlers.addHandler(new CoreRequests(upgrade, polling, config.path()));
    return true;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws IOException {
    String method = request.getMethod();
    boolean get = HttpMethod.GET.is(method);
    if (!get && !HttpMethod.POST.is(method)) {
      return false;
    }
    // The transport's path itself: anything under it (the client script) is the servlet's.
    String inContext = Request.getPathInContext(request);
    if (!inContext.equals(path) && !inContext.equals(bare)) {
      return false;
    }
    HttpFields headers = request.getHeaders();
    // Read from the raw query, not Jetty's parsed fields: those stay cached on the request, which a held poll keeps
    // (about 0.9 KiB a session, measured). Anything unusual reads as absent, and the servlet answers it.
    String query = request.getHttpURI().getQuery();
    if (!"4".equals(queryValue(query, "EIO")) || !origins.allows(headers.get(HttpHeader.ORIGIN),
        request.getHttpURI().getScheme(), Request.getServerName(request), Request.getServerPort(request))) {
      return false;
    }
    String transport = queryValue(query, "transport");
    if ("polling".equals(transport)) {
      if (!upgrade.config.polling()) {
        return false;
      }
      String sid = queryValue(query, "sid");
      if (!get) {
        return post(request, response, callback, sid);
      }
      return sid == null ? handshake(request, response, callback) : poll(request, response, callback, sid);
    }
    String key = headers.get(HttpHeader.SEC_WEBSOCKET_KEY);
    if (!get || !"websocket".equals(transport) || queryValue(query, "sid") != null
        || !"websocket".equalsIgnoreCase(headers.get(HttpHeader.UPGRADE))
        || !"13".equals(headers.get(HttpHeader.SEC_WEBSOCKET_VERSION)) || key == null || key.isBlank()) {
      return false;
    }
    String remote = Request.getRemoteAddr(request);
    Admission admission = upgrade.context.admit(remote).orElse(null);
    if (admission == null) {
      // The servlet answers Engine.IO's 429.
      return false;
    }
    return upgrade.open(request, response, callback, info(request, "websocket"), admission);
  }

  /** The request as the engine sees it, for a connection over {@code transport}. */
  private static ConnectionInfo info(Request request, String transport) {
    HttpFields headers = request.getHeaders();
    return ConnectionInfo.http(transport, Request.getRemoteAddr(request) + ":" + Request.getRemotePort(request),
        request.getHttpURI().getPath(), headers.getFieldNamesCollection(), headers::getValuesList,
        ConnectionInfo.queryParameters(request.getHttpURI().getQuery()));
  }

  // A polling handshake: a new session, its open packet the answer.
  private boolean handshake(Request request, Response response, Callback callback) {
    Admission admission = upgrade.context.admit(Request.getRemoteAddr(request)).orElse(null);
    if (admission == null) {
      // The servlet answers Engine.IO's 429.
      return false;
    }
    byte[] open = polling.open(info(request, "polling"), admission, "Jetty's core API");
    cors(request, response);
    if (open == null) {
      error(response, callback, 503, 3, "Server shutting down");
    } else {
      response.setStatus(200);
      response.getHeaders().put(CorePoll.TEXT);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, open.length);
      response.write(true, ByteBuffer.wrap(open), callback);
    }
    return true;
  }

  // A live session's long-poll, held here; anything else is the servlet's.
  private boolean poll(Request request, Response response, Callback callback, String sid) {
    PollingSession session = polling.session(sid);
    if (session == null || session.upgraded()) {
      return false;
    }
    cors(request, response);
    if (!session.poll(new CorePoll(request, response, callback))) {
      // A second GET while one is held: the session ends, this one is Engine.IO's 400.
      error(response, callback, 400, 3, "Bad request");
    }
    return true;
  }

  // A live session's packets, read here as they arrive; a form (which the servlet refuses before reading it), or a
  // request for no live session, is the servlet's.
  private boolean post(Request request, Response response, Callback callback, @Nullable String sid) {
    PollingSession session = sid == null ? null : polling.session(sid);
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (session == null || session.upgraded() || type != null
        && type.trim().toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      return false;
    }
    cors(request, response);
    CoreReply reply = new CoreReply(response, callback);
    Inbound hold = polling.admitPost(request.getLength(), session, reply);
    if (hold != null) {
      new CorePost(request, polling.body(session, hold, reply, "Jetty's core API"), session,
          upgrade.config.pingTimeout(), upgrade.context.scheduler()).start();
    }
    return true;
  }

  // CORS for a browser origin the policy allows: that origin with credentials, or * without them.
  private void cors(Request request, Response response) {
    String origin = request.getHeaders().get(HttpHeader.ORIGIN);
    if (origin != null) {
      boolean credentials = origins.withCredentials(origin);
      HttpFields.Mutable answer = response.getHeaders();
      answer.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, credentials ? origin : "*");
      if (credentials) {
        answer.put(HttpHeader.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        answer.put(HttpHeader.VARY, "Origin");
      }
    }
  }

  /** Answers Engine.IO's JSON error {@code {"code":…,"message":…}} with {@code status}. */
  private static void error(Response response, Callback callback, int status, int code, String message) {
    byte[] body = ("{\"code\":" + code + ",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.getHeaders().put(JSON);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /** Answers a POST on Jetty's core API; the last write completes the request. */
  private record CoreReply(Response response, Callback callback) implements PostBody.Reply {
    @Override
    public void ok() {
      response.setStatus(200);
      response.getHeaders().put(HTML);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, OK.length);
      response.write(true, ByteBuffer.wrap(OK), callback);
    }

    @Override
    public void error(int status, int code, String message) {
      CoreRequests.error(response, callback, status, code, message);
    }
  }

  /**
   * Reads a POST body on Jetty's core API as it arrives, no thread held while it does not: each chunk into the
   * {@link PostBody}, which answers. The body must be all there within pingTimeout (the time a pong may take), and a
   * failed request or an ended session abandons it.
   */
  private static final class CorePost implements Runnable {
    private final Request request;
    private final PostBody body;
    private final PollingSession session;
    private final Duration timeout;
    private final Scheduler scheduler;
    private volatile @Nullable Disposable deadline;

    CorePost(Request request, PostBody body, PollingSession session, Duration timeout, Scheduler scheduler) {
      this.request = request;
      this.body = body;
      this.session = session;
      this.timeout = timeout;
      this.scheduler = scheduler;
    }

    void start() {
      request.addFailureListener(failure -> body.abandon("the POST failed: " + failure));
      try {
        deadline = scheduler.schedule(() -> body.abandon("a POST body not all there within pingTimeout"),
            timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        // The server's timers are stopping: no body is read without a deadline.
        body.abandon("no deadline for a POST body (" + e + ")");
        return;
      }
      // Whichever way the body is done with (read, refused, the session ended, the deadline passed), the deadline
      // holds it no longer.
      body.onDone(this::cancelDeadline);
      // Registered before reading starts, so that this body is done with (and its registration cleared) before the
      // next POST of the session can register its own.
      if (session.reading(body::ended)) {
        run();
      }
    }

    @Override
    public void run() {
      try {
        while (!body.done()) {
          Content.Chunk chunk = request.read();
          if (chunk == null) {
            request.demand(this);
            return;
          }
          if (Content.Chunk.isFailure(chunk)) {
            body.abandon("reading a POST body failed: " + chunk.getFailure());
            return;
          }
          boolean more = body.take(chunk.getByteBuffer());
          boolean last = chunk.isLast();
          chunk.release();
          if (!more) {
            return;
          }
          if (last) {
            body.complete();
            return;
          }
        }
      } catch (IllegalStateException e) {
        // Answered meanwhile on another thread, and the request completed under this read: nothing is lost.
        if (!body.done()) {
          body.abandon("reading a POST body failed: " + e);
        }
      }
    }

    private void cancelDeadline() {
      Disposable pending = deadline;
      if (pending != null) {
        pending.dispose();
      }
    }
  }

  /**
   * The first value of {@code name} in a raw query string, percent-decoded; null if it is absent, or if the query
   * is one this reader does not take (a malformed escape).
   */
  static @Nullable String queryValue(@Nullable String query, String name) {
    if (query == null) {
      return null;
    }
    int from = 0;
    while (from <= query.length()) {
      int end = query.indexOf('&', from);
      if (end < 0) {
        end = query.length();
      }
      // Looked for within the part only: searching the rest of the query for each part would be quadratic.
      int equals = from;
      while (equals < end && query.charAt(equals) != '=') {
        equals++;
      }
      boolean valued = equals < end;
      if (query.regionMatches(from, name, 0, name.length()) && from + name.length() == (valued ? equals : end)) {
        String raw = valued ? query.substring(equals + 1, end) : "";
        if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) {
          return raw;
        }
        try {
          return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
      from = end + 1;
    }
    return null;
  }

}
