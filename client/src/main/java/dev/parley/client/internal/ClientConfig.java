package dev.parley.client.internal;

import dev.parley.client.ClientEventHandler;
import dev.parley.client.ClientTransport;
import dev.parley.client.Reconnect;
import dev.parley.error.ParleyException;
import dev.parley.protocol.Checks;
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
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A client's validated configuration, made by {@link Builder#build()} (which {@code ParleyClient.Builder}
 * fills in); also the validators the builder shares with the client.
 *
 * @param auth the CONNECT auth payload of each connection attempt: the static value (or null) as a constant
 *     supplier, or the application's supplier; read through {@link #credentials()}
 * @param headerSupplier the application's supplier of per-attempt headers, or null; see {@link #credentials()}
 * @param scheduler the scheduler of the client's timers, or null for one the client makes (and disposes)
 */
public record ClientConfig(URI serverUrl, ClientTransport transport, String path, String namespace,
                           Supplier<?> auth, @Nullable Supplier<? extends Map<String, String>> headerSupplier,
                           Map<String, String> headers, Duration ackTimeout, Duration connectTimeout,
                           int outboundBufferSize, long outboundBufferBytes, int maxPendingAcks,
                           Reconnect reconnect, JsonMapper jsonMapper,
                           Map<String, List<ClientEventHandler>> handlers, List<Runnable> connectListeners,
                           List<Consumer<DisconnectReason>> disconnectListeners,
                           List<Consumer<ParleyException>> reconnectFailedListeners,
                           @Nullable Scheduler scheduler) {

  /** Event names only the protocol may use; Socket.IO's list. */
  static final Set<String> RESERVED_EVENTS = Set.of(
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");
  private static final int MAX_NAME_LENGTH = 128;
  /** The default of {@code outboundBufferSize}: packets emitted and not yet written. */
  public static final int DEFAULT_OUTBOUND_BUFFER_SIZE = 1_000;
  /** The default of {@code outboundBufferBytes}: 1 MiB of encoded packets emitted and not yet written. */
  public static final long DEFAULT_OUTBOUND_BUFFER_BYTES = 1L << 20;
  /** The default of {@code maxPendingAcks}: emitWithAcks waiting for the server's answer. */
  public static final int DEFAULT_MAX_PENDING_ACKS = 1_000;

  /**
   * A builder of a client's configuration: each setter validates its value at once; {@link #build()}
   * checks what depends on several of them. Not thread-safe.
   *
   * @param serverUrl the server's address, checked by {@link #checkServerUrl}
   * @return a builder with the defaults
   */
  public static Builder builder(URI serverUrl) {
    return new Builder(serverUrl);
  }

  /** Collects and validates the values of a {@link ClientConfig}; see {@code ParleyClient.Builder}. */
  public static final class Builder {
    private final URI serverUrl;
    private ClientTransport transport = ClientTransport.WEBSOCKET;
    private @Nullable String path;
    private String namespace = "/";
    private @Nullable Object auth;
    private @Nullable Supplier<?> authSupplier;
    private @Nullable Supplier<? extends Map<String, String>> headerSupplier;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Duration ackTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private int outboundBufferSize = DEFAULT_OUTBOUND_BUFFER_SIZE;
    private long outboundBufferBytes = DEFAULT_OUTBOUND_BUFFER_BYTES;
    private int maxPendingAcks = DEFAULT_MAX_PENDING_ACKS;
    private Reconnect reconnect = Reconnect.defaults();
    private @Nullable JsonMapper jsonMapper;
    private final Map<String, List<ClientEventHandler>> handlers = new LinkedHashMap<>();
    private final List<Runnable> connectListeners = new ArrayList<>();
    private final List<Consumer<DisconnectReason>> disconnectListeners = new ArrayList<>();
    private final List<Consumer<ParleyException>> reconnectFailedListeners = new ArrayList<>();
    private @Nullable Scheduler scheduler;

    private Builder(URI serverUrl) {
      this.serverUrl = checkServerUrl(serverUrl);
    }

    public Builder transport(ClientTransport transport) {
      Objects.requireNonNull(transport, "transport");
      if (path != null) {
        checkPath(transport, path);
      }
      this.transport = transport;
      return this;
    }

    public Builder path(String path) {
      this.path = checkPath(transport, path);
      return this;
    }

    public Builder namespace(String namespace) {
      this.namespace = checkNamespace(namespace);
      return this;
    }

    /** A static auth payload; replaces a supplier set before. */
    public Builder auth(@Nullable Object auth) {
      this.auth = auth;
      this.authSupplier = null;
      return this;
    }

    /** An auth supplier, called for each connection attempt; replaces a static payload set before. */
    public Builder authSupplier(Supplier<?> auth) {
      this.authSupplier = Objects.requireNonNull(auth, "auth");
      this.auth = null;
      return this;
    }

    public Builder headerSupplier(Supplier<? extends Map<String, String>> headers) {
      this.headerSupplier = Objects.requireNonNull(headers, "headers");
      return this;
    }

    public Builder header(String name, String value) {
      checkHeader(name, value);
      headers.put(name, value);
      return this;
    }

    public Builder ackTimeout(Duration ackTimeout) {
      this.ackTimeout = Checks.positive("ackTimeout", ackTimeout);
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = Checks.positive("connectTimeout", connectTimeout);
      return this;
    }

    public Builder outboundBufferSize(int packets) {
      this.outboundBufferSize = (int) Checks.atLeast("outboundBufferSize", packets, 1);
      return this;
    }

    public Builder outboundBufferBytes(long bytes) {
      this.outboundBufferBytes = Checks.atLeast("outboundBufferBytes", bytes, 1);
      return this;
    }

    public Builder maxPendingAcks(int acks) {
      this.maxPendingAcks = (int) Checks.atLeast("maxPendingAcks", acks, 1);
      return this;
    }

    public Builder reconnect(Reconnect reconnect) {
      this.reconnect = Objects.requireNonNull(reconnect, "reconnect");
      return this;
    }

    public Builder jsonMapper(JsonMapper jsonMapper) {
      this.jsonMapper = Objects.requireNonNull(jsonMapper, "jsonMapper");
      return this;
    }

    public Builder on(String event, ClientEventHandler handler) {
      checkInboundEvent(event);
      Objects.requireNonNull(handler, "handler");
      handlers.computeIfAbsent(event, e -> new ArrayList<>()).add(handler);
      return this;
    }

    public Builder onConnect(Runnable listener) {
      connectListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public Builder onDisconnect(Consumer<DisconnectReason> listener) {
      disconnectListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public Builder onReconnectFailed(Consumer<ParleyException> listener) {
      reconnectFailedListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Copies the collections, turns the auth value into JSON, and checks what only the transport decides:
     * the path (the transport's default if none was set), and for SSE that there is no auth payload and
     * that the JDK HttpClient may send every header.
     *
     * @return the configuration
     * @throws IllegalArgumentException as {@code ParleyClient.Builder.connect()} documents
     */
    public ClientConfig build() {
      JsonMapper mapper = jsonMapper == null ? JsonMapper.builder().build() : jsonMapper;
      String checkedPath = path == null ? defaultPath(transport) : checkPath(transport, path);
      if (transport == ClientTransport.SSE) {
        if (auth != null || authSupplier != null) {
          throw new IllegalArgumentException("auth(...) travels in Socket.IO's CONNECT packet, which the SSE "
              + "transport does not have: send credentials in a header (header(\"Authorization\", ...), or "
              + "headers(() -> ...) to refresh them on each connection attempt) or a query parameter of the "
              + "server URL");
        }
        headers.forEach(ClientConfig::checkHttpClientHeader);
      }
      Supplier<?> authPayload;
      if (authSupplier != null) {
        authPayload = authSupplier;
      } else {
        ObjectNode fixed = authJson(mapper, auth);
        authPayload = () -> fixed;
      }
      return new ClientConfig(serverUrl, transport, checkedPath, namespace, authPayload, headerSupplier,
          Map.copyOf(headers), ackTimeout, connectTimeout, outboundBufferSize, outboundBufferBytes, maxPendingAcks,
          reconnect, mapper, copy(handlers),
          List.copyOf(connectListeners), List.copyOf(disconnectListeners), List.copyOf(reconnectFailedListeners),
          scheduler);
    }
  }

  /** What one connection attempt presents: the CONNECT auth payload (WebSocket) and the request headers. */
  public record Credentials(@Nullable ObjectNode auth, Map<String, String> headers) {
  }

  /**
   * Calls the suppliers for one connection attempt, on the calling thread (the client's control thread), and
   * checks what they return: the auth payload must serialise to a JSON object (null: none); the supplied
   * headers (null: none) are checked as {@link #checkHeader} does (and, over SSE, must be ones the JDK
   * HttpClient may send) and replace the builder's headers of the same name.
   *
   * @throws RuntimeException what a supplier threw, or {@link IllegalArgumentException} for a value that does
   *     not pass the checks
   */
  public Credentials credentials() {
    ObjectNode payload = authJson(jsonMapper, auth.get());
    if (headerSupplier == null) {
      return new Credentials(payload, headers);
    }
    Map<String, String> supplied = headerSupplier.get();
    if (supplied == null || supplied.isEmpty()) {
      return new Credentials(payload, headers);
    }
    Map<String, String> merged = new LinkedHashMap<>(headers);
    supplied.forEach((name, value) -> {
      checkHeader(name, value);
      if (transport == ClientTransport.SSE) {
        checkHttpClientHeader(name, value);
      }
      // A supplied header replaces a builder's header whatever the case of its name: HTTP names are not
      // case-sensitive, and the request must not carry both.
      merged.keySet().removeIf(name::equalsIgnoreCase);
      merged.put(name, value);
    });
    return new Credentials(payload, Map.copyOf(merged));
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
