package dev.parley.transport.websocket.internal;

import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.spi.Admission;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Mount;
import dev.parley.spi.OriginPolicy;
import dev.parley.spi.TransportContext;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import jakarta.servlet.ServletContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Fresh WebSocket upgrades on Jetty's core API, ahead of the Servlet context, in a host that offers a place for such
 * handlers (Parley's Jetty host, as a {@link Handler.Sequence} through its {@link Mount}): a connect then costs no
 * Servlet dispatch, and no pool thread waits for the switch to be answered. Only a well-formed upgrade of a new
 * session from an allowed origin is taken here; anything else (polling, the upgrade of a polling session, the
 * client script, every refusal) goes on to the transport's servlet, which answers it as in any container.
 */
public final class CoreSockets extends Handler.Abstract {
  private final CoreUpgrade upgrade;
  private final OriginPolicy origins;
  private final String path;
  private final String bare;

  private CoreSockets(CoreUpgrade upgrade, String path) {
    this.upgrade = upgrade;
    this.origins = new OriginPolicy(upgrade.config.allowedOrigins());
    this.path = path;
    this.bare = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /**
   * Adds fresh upgrades at the transport's path to the host's core handlers, if {@code mount} offers them and the
   * context is Jetty 12 EE10's.
   *
   * @return whether it did
   * @throws LinkageError if Jetty's classes are not all there (the servlet then takes every upgrade)
   */
  public static boolean mount(Mount mount, ServletContext servletContext, WebSocketTransportConfig config,
                              TransportContext context, SocketIoCodec codec, AtomicInteger openSockets) {
    Handler.Sequence handlers = mount.unwrap(Handler.Sequence.class).orElse(null);
    if (handlers == null) {
      return false;
    }
    CoreUpgrade upgrade = CoreUpgrade.of(servletContext, config, context, codec, openSockets);
    if (upgrade == null) {
      return false;
    }
    handlers.addHandler(new CoreSockets(upgrade, config.path()));
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
    String key = headers.get(HttpHeader.SEC_WEBSOCKET_KEY);
    if (!"websocket".equalsIgnoreCase(headers.get(HttpHeader.UPGRADE))
        || !"13".equals(headers.get(HttpHeader.SEC_WEBSOCKET_VERSION)) || key == null || key.isBlank()) {
      return false;
    }
    Fields query = Request.extractQueryParameters(request);
    if (!"websocket".equals(query.getValue("transport")) || !"4".equals(query.getValue("EIO"))
        || query.get("sid") != null) {
      return false;
    }
    if (!origins.allows(headers.get(HttpHeader.ORIGIN), request.getHttpURI().getScheme(),
        Request.getServerName(request), Request.getServerPort(request))) {
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
        parameters(query));
    return upgrade.open(request, response, callback, info, admission);
  }

  private static Map<String, String[]> parameters(Fields fields) {
    Map<String, String[]> parameters = new LinkedHashMap<>();
    for (Fields.Field field : fields) {
      List<String> values = field.getValues();
      parameters.put(field.getName(), values.toArray(String[]::new));
    }
    return parameters;
  }
}
