package dev.parley.transport.sse.internal;

import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Mount;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Event streams on Jetty's core API, ahead of the Servlet context, in a host that offers a place for such handlers
 * (Parley's Jetty host, as a {@link Handler.Sequence} through its {@link Mount}): a held stream then costs Jetty's
 * request and response and nothing of the Servlet layer (its request, response, async context, input and output,
 * about 1 KiB a stream). Only a well-formed stream request from an allowed origin is served here; anything else
 * (posts, preflights, refusals) goes on to the transport's servlet, which answers it as in any container.
 * Only this class and {@link CoreStream} name Jetty's types: the transport loads them only when offered the place.
 */
public final class CoreStreams extends Handler.Abstract {
  private static final Predicate<TimeoutException> IDLE = timeout -> false;

  private final SseServlet owner;
  private final String path;
  private final String bare;

  private CoreStreams(SseServlet owner, String path) {
    this.owner = owner;
    this.path = path;
    this.bare = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /**
   * Adds the streams of {@code servlet} at {@code path} to the host's core handlers, if {@code mount} offers them.
   *
   * @return whether it did
   * @throws LinkageError if Jetty's server classes are not there (the Servlet path then serves every stream)
   */
  public static boolean mount(Mount mount, SseServlet servlet, String path) {
    Handler.Sequence handlers = mount.unwrap(Handler.Sequence.class).orElse(null);
    if (handlers == null) {
      return false;
    }
    handlers.addHandler(new CoreStreams(servlet, path));
    return true;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    if (!HttpMethod.GET.is(request.getMethod())) {
      return false;
    }
    String inContext = Request.getPathInContext(request);
    if (!inContext.startsWith(path) && !inContext.equals(bare)) {
      return false;
    }
    HttpFields headers = request.getHeaders();
    String accept = headers.get(HttpHeader.ACCEPT);
    if (accept == null || !accept.toLowerCase(Locale.ROOT).contains("text/event-stream")) {
      return false;
    }
    String origin = headers.get(HttpHeader.ORIGIN);
    if (!owner.origins().allows(origin, request.getHttpURI().getScheme(), Request.getServerName(request),
        Request.getServerPort(request))) {
      return false;
    }
    if (origin != null) {
      boolean credentials = owner.origins().withCredentials(origin);
      HttpFields.Mutable answer = response.getHeaders();
      answer.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, credentials ? origin : "*");
      if (credentials) {
        answer.put(HttpHeader.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        answer.put(HttpHeader.VARY, "Origin");
      }
    }
    Map<String, String[]> query = ConnectionInfo.queryParameters(request.getHttpURI().getQuery());
    String[] ns = query.get("ns");
    CoreStream stream = new CoreStream(owner, response, callback, ns == null ? "/" : ns[0]);
    request.addFailureListener(stream);
    // Jetty asks these only while nothing is being written (a stuck write it fails itself, ending the stream as
    // on the Servlet path): a stream with nothing to write waits for its next heartbeat instead of being failed.
    request.addIdleTimeoutListener(IDLE);
    String remote = Request.getRemoteAddr(request);
    ConnectionInfo info = ConnectionInfo.http("sse", remote + ":" + Request.getRemotePort(request),
        request.getHttpURI().getPath(), headers.getFieldNamesCollection(), headers::getValuesList, query);
    owner.open(stream, remote, info);
    return true;
  }
}
