package dev.parley.client.internal;

import dev.parley.client.ClientEventHandler;
import dev.parley.client.ClientTransport;
import dev.parley.client.Reconnect;
import dev.parley.error.ParleyException;
import dev.parley.protocol.DisconnectReason;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** A client's validated settings, as the builder collected them; also the builder's validators. */
public record ClientSettings(URI serverUrl, ClientTransport transport, String path, String namespace,
                             @Nullable ObjectNode auth,
                             Map<String, String> headers, Duration ackTimeout, Duration connectTimeout,
                             Reconnect reconnect, JsonMapper jsonMapper,
                             Map<String, List<ClientEventHandler>> handlers, List<Runnable> connectListeners,
                             List<Consumer<DisconnectReason>> disconnectListeners,
                             List<Consumer<ParleyException>> reconnectFailedListeners) {

  /** Event names only the protocol may use; Socket.IO's list. */
  static final Set<String> RESERVED_EVENTS = Set.of(
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");
  private static final int MAX_NAME_LENGTH = 128;

  /**
   * Copies the builder's collections, turns the auth value into JSON, and checks what only the transport
   * decides: the path (the transport's default if null), and for SSE that there is no auth payload and that
   * the JDK HttpClient may send every header.
   */
  public static ClientSettings of(URI serverUrl, ClientTransport transport, @Nullable String path, String namespace,
                                  @Nullable Object auth, Map<String, String> headers, Duration ackTimeout,
                                  Duration connectTimeout, Reconnect reconnect, @Nullable JsonMapper jsonMapper,
                                  Map<String, List<ClientEventHandler>> handlers, List<Runnable> connectListeners,
                                  List<Consumer<DisconnectReason>> disconnectListeners,
                                  List<Consumer<ParleyException>> reconnectFailedListeners) {
    JsonMapper mapper = jsonMapper == null ? JsonMapper.builder().build() : jsonMapper;
    String checkedPath = path == null ? defaultPath(transport) : checkPath(transport, path);
    if (transport == ClientTransport.SSE) {
      if (auth != null) {
        throw new IllegalArgumentException("auth(...) travels in Socket.IO's CONNECT packet, which the SSE transport "
            + "does not have: send credentials in a header (header(\"Authorization\", ...)) or a query parameter "
            + "of the server URL");
      }
      headers.forEach(ClientSettings::checkHttpClientHeader);
    }
    return new ClientSettings(serverUrl, transport, checkedPath, namespace, authJson(mapper, auth),
        Map.copyOf(headers), ackTimeout, connectTimeout, reconnect, mapper, copy(handlers),
        List.copyOf(connectListeners), List.copyOf(disconnectListeners), List.copyOf(reconnectFailedListeners));
  }

  /** The path a transport is mounted at by default: {@code /socket.io/} or {@code /sse/}. */
  public static String defaultPath(ClientTransport transport) {
    return transport == ClientTransport.SSE ? "/sse/" : "/socket.io/";
  }

  private static void checkHttpClientHeader(String name, String value) {
    try {
      HttpRequest.newBuilder().header(name, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("header \"" + name + "\" cannot be sent over SSE: the JDK HttpClient "
          + "refuses it (" + e.getMessage() + ")", e);
    }
  }

  private static Map<String, List<ClientEventHandler>> copy(Map<String, List<ClientEventHandler>> handlers) {
    Map<String, List<ClientEventHandler>> out = new LinkedHashMap<>();
    handlers.forEach((event, list) -> out.put(event, List.copyOf(list)));
    return out;
  }

  private static @Nullable ObjectNode authJson(JsonMapper mapper, @Nullable Object auth) {
    if (auth == null) {
      return null;
    }
    JsonNode node;
    try {
      node = auth instanceof JsonNode json ? json : mapper.valueToTree(auth);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("auth cannot be serialised to JSON (" + auth.getClass().getName() + "): "
          + e.getOriginalMessage(), e);
    }
    if (!(node instanceof ObjectNode object)) {
      throw new IllegalArgumentException("auth must serialise to a JSON object, not " + node.getNodeType()
          + " (" + auth.getClass().getName() + ")");
    }
    return object.deepCopy();
  }

  /** The Engine.IO WebSocket address: ws(s)://authority + path + ?EIO=4&transport=websocket[&query]. */
  public URI webSocketEndpoint() {
    String scheme = serverUrl.getScheme().toLowerCase(Locale.ROOT);
    String ws = scheme.equals("https") || scheme.equals("wss") ? "wss" : "ws";
    String query = "EIO=4&transport=websocket";
    if (serverUrl.getRawQuery() != null && !serverUrl.getRawQuery().isEmpty()) {
      query += "&" + serverUrl.getRawQuery();
    }
    return URI.create(ws + "://" + serverUrl.getRawAuthority() + path + "?" + query);
  }

  /** The SSE stream address: http(s)://authority + path [+ ?ns=namespace (unless "/")] [+ the URL's query]. */
  public URI sseStream() {
    List<String> query = new ArrayList<>();
    if (!namespace.equals("/")) {
      query.add("ns=" + URLEncoder.encode(namespace, StandardCharsets.UTF_8));
    }
    if (serverUrl.getRawQuery() != null && !serverUrl.getRawQuery().isEmpty()) {
      query.add(serverUrl.getRawQuery());
    }
    return URI.create(ssePostBase() + (query.isEmpty() ? "" : "?" + String.join("&", query)));
  }

  /** Where SSE posts go, before their {@code ?sid=}: http(s)://authority + path. */
  public String ssePostBase() {
    String scheme = serverUrl.getScheme().toLowerCase(Locale.ROOT);
    String http = scheme.equals("https") || scheme.equals("wss") ? "https" : "http";
    return http + "://" + serverUrl.getRawAuthority() + path;
  }

  // ---- validators shared with the builder ----

  /** Checks the server URL given to {@code ParleyClient.builder}. */
  public static URI checkServerUrl(URI url) {
    Objects.requireNonNull(url, "serverUrl");
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!Set.of("http", "https", "ws", "wss").contains(scheme)) {
      throw new IllegalArgumentException("serverUrl must be http, https, ws or wss: \"" + url + "\"");
    }
    if (url.getHost() == null) {
      throw new IllegalArgumentException("serverUrl has no host: \"" + url + "\"");
    }
    String path = url.getRawPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      throw new IllegalArgumentException("serverUrl must have no path (set the Engine.IO path with path(...) and "
          + "the namespace with namespace(...)): \"" + url + "\"");
    }
    if (url.getRawFragment() != null) {
      throw new IllegalArgumentException("serverUrl must have no fragment: \"" + url + "\"");
    }
    return url;
  }

  /**
   * Checks a path: the Engine.IO path of the WebSocket transport, which starts and ends with {@code /}; or
   * the URL path of an SSE stream, which starts with {@code /}.
   */
  public static String checkPath(ClientTransport transport, String path) {
    Objects.requireNonNull(path, "path");
    if (transport == ClientTransport.SSE) {
      if (!path.startsWith("/") || hasControl(path) || path.contains("?") || path.contains("#")
          || path.contains(" ")) {
        throw new IllegalArgumentException("an SSE path must start with \"/\", without ?, #, spaces or control "
            + "characters: \"" + path + "\"");
      }
      return path;
    }
    if (!path.startsWith("/") || !path.endsWith("/") || hasControl(path) || path.contains("?")
        || path.contains("#")) {
      throw new IllegalArgumentException("path must start and end with \"/\", without ?, # or control characters: \""
          + path + "\" (an SSE stream path such as \"/sse/lobby\" needs transport(ClientTransport.SSE) first)");
    }
    return path;
  }

  /** Checks a namespace name. */
  public static String checkNamespace(String namespace) {
    Objects.requireNonNull(namespace, "namespace");
    if (!namespace.startsWith("/") || namespace.contains(",") || hasControl(namespace)
        || namespace.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("namespace must start with \"/\", be at most " + MAX_NAME_LENGTH
          + " chars, without commas or control characters: \"" + namespace + "\"");
    }
    return namespace;
  }

  /** Checks a handshake header. */
  public static void checkHeader(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (name.isEmpty() || hasControl(name) || hasControl(value)) {
      throw new IllegalArgumentException("header name must be non-empty, and name and value without control "
          + "characters: \"" + name + "\"");
    }
  }

  /** Checks a timeout. */
  public static Duration checkPositive(String what, Duration value) {
    Objects.requireNonNull(value, what);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(what + " must be positive: " + value);
    }
    return value;
  }

  /** Checks an event name a handler is registered for. */
  public static String checkInboundEvent(String event) {
    return checkEvent(event, "; use onConnect/onDisconnect for the connection's life");
  }

  /** Checks an event name the application emits. */
  static String checkOutboundEvent(String event) {
    return checkEvent(event, "");
  }

  private static String checkEvent(String event, String hint) {
    Objects.requireNonNull(event, "event");
    if (event.isEmpty() || event.length() > MAX_NAME_LENGTH || hasControl(event)) {
      throw new IllegalArgumentException("event name must be 1.." + MAX_NAME_LENGTH
          + " chars, no control characters: " + quote(event));
    }
    if (RESERVED_EVENTS.contains(event)) {
      throw new IllegalArgumentException("event name is reserved by the protocol: " + quote(event)
          + " (reserved: connect, connect_error, disconnect, disconnecting, newListener, removeListener)" + hint);
    }
    return event;
  }

  private static boolean hasControl(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /** A name quoted for a message, with control characters escaped and long ones cut. */
  static String quote(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), 64) + 8).append('"');
    for (int i = 0; i < Math.min(value.length(), 64); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (value.length() > 64) {
      out.append("…");
    }
    return out.append('"').toString();
  }
}
