package dev.parley.transport.websocket.internal;

import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.spi.Admission;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Mount;
import dev.parley.spi.OriginPolicy;
import dev.parley.spi.TransportContext;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The transport's busiest requests on Jetty's core API, ahead of the Servlet context, in a host that offers a place
 * for such handlers (Parley's Jetty host, as a {@link Handler.Sequence} through its {@link Mount}): fresh WebSocket
 * upgrades (a connect then costs no Servlet dispatch, and no pool thread waits for the switch to be answered) and
 * the long-poll {@code GET}s of live sessions (held without the Servlet request, response and async state, about
 * 1 KiB a session). Only well-formed requests from allowed origins are taken here; anything else (handshakes and
 * posts of polling, the upgrade of a polling session, the client script, every refusal) goes on to the
 * transport's servlet, which answers it as in any container.
 */
public final class CoreRequests extends Handler.Abstract {
  private static final byte[] BAD_REQUEST =
      "{\"code\":3,\"message\":\"Bad request\"}".getBytes(StandardCharsets.UTF_8);

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
    CoreUpgrade upgrade = CoreUpgrade.of(servletContext, config, context, codec, openSockets);
    if (upgrade == null) {
      return false;
    }
    handlers.addHandler(new CoreRequests(upgrade, polling, config.path()));
    return true;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws IOException {
    if (!HttpMethod.GET.is(request.getMethod())) {
      return false;
    }
    String inContext = Request.getPathInContext(request);
    if (!inContext.startsWith(path) && !inContext.equals(bare)) {
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
      return upgrade.config.polling() && poll(request, response, callback, queryValue(query, "sid"));
    }
    String key = headers.get(HttpHeader.SEC_WEBSOCKET_KEY);
    if (!"websocket".equals(transport) || queryValue(query, "sid") != null
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
    ConnectionInfo info = ConnectionInfo.http("websocket", remote + ":" + Request.getRemotePort(request),
        request.getHttpURI().getPath(), headers.getFieldNamesCollection(), headers::getValuesList,
        ConnectionInfo.queryParameters(request.getHttpURI().getQuery()));
    return upgrade.open(request, response, callback, info, admission);
  }

  // A live session's long-poll, held here; anything else is the servlet's.
  private boolean poll(Request request, Response response, Callback callback, @Nullable String sid) {
    PollingSession session = sid == null ? null : polling.session(sid);
    if (session == null || session.upgraded()) {
      return false;
    }
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
    if (!session.poll(new CorePoll(request, response, callback))) {
      // A second GET while one is held: the session ends, this one is Engine.IO's 400.
      response.setStatus(400);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");
      response.write(true, ByteBuffer.wrap(BAD_REQUEST), callback);
    }
    return true;
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
