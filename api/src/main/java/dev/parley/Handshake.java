package dev.parley;

import dev.parley.internal.support.PairMap;
import java.security.Principal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What a client presented when it connected to a namespace: the transport, its address, the HTTP
 * headers, query and cookies of the connection, the auth payload of the connect packet, and what
 * {@link Middleware} added (a principal, attributes). Immutable; middleware derives new ones with
 * {@link #withPrincipal} and {@link #withAttribute}.
 *
 * @param namespace the namespace being joined
 * @param transport the transport's name ({@code "websocket"}, {@code "sse"}, {@code "in-process"})
 * @param remoteAddress the client's address as the transport saw it
 * @param path the request path of the connection (for SSE, the stream's URL path, which may name a room)
 * @param headers request headers, names in lower case (not the WebSocket handshake's one-time
 *     {@code Sec-WebSocket-Key})
 * @param query query parameters
 * @param cookies cookies by name
 * @param auth the client's auth payload (an empty object when it sent none, one shared by every such
 *     handshake that throws {@link UnsupportedOperationException} if changed)
 * @param principal who the client is, as middleware established it; null until then
 * @param attributes values middleware attached for handlers to read
 * @param issuedAt when the handshake arrived
 */
public record Handshake(
    String namespace,
    String transport,
    String remoteAddress,
    String path,
    Map<String, List<String>> headers,
    Map<String, List<String>> query,
    Map<String, String> cookies,
    JsonNode auth,
    @Nullable Principal principal,
    Map<String, Object> attributes,
    Instant issuedAt) {

  public Handshake {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(path, "path");
    // The connection's maps as they are (one copy per connection, not a second per namespace joined).
    headers = PairMap.copyOf(headers);
    query = PairMap.copyOf(query);
    cookies = PairMap.copyOf(cookies);
    Objects.requireNonNull(auth, "auth");
    attributes = Map.copyOf(attributes);
    Objects.requireNonNull(issuedAt, "issuedAt");
  }

  /** The first value of a header (name matched case-insensitively). */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The first value of a query parameter. */
  public Optional<String> query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** A cookie's value. */
  public Optional<String> cookie(String name) {
    return Optional.ofNullable(cookies.get(name));
  }

  /**
   * The id of the last message a reconnecting client saw: the {@code Last-Event-ID} header an
   * {@code EventSource} sends, or the {@code lastEventId} query parameter for clients that cannot set
   * headers. Use it with {@link Replay#resume(Handshake, Replay)}.
   */
  public Optional<String> lastEventId() {
    Optional<String> header = header("last-event-id").filter(id -> !id.isBlank());
    return header.isPresent() ? header : query("lastEventId").filter(id -> !id.isBlank());
  }

  /** An attribute set by middleware, cast to {@code type}. */
  public <T> Optional<T> attribute(String name, Class<T> type) {
    Object value = attributes.get(name);
    return type.isInstance(value) ? Optional.of(type.cast(value)) : Optional.empty();
  }

  /** This handshake with the given principal. */
  public Handshake withPrincipal(Principal principal) {
    Objects.requireNonNull(principal, "principal");
    return new Handshake(namespace, transport, remoteAddress, path, headers, query, cookies, auth,
        principal, attributes, issuedAt);
  }

  /** This handshake with one more attribute (replacing one of the same name). */
  public Handshake withAttribute(String name, Object value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Map<String, Object> copy = new HashMap<>(attributes);
    copy.put(name, value);
    return new Handshake(namespace, transport, remoteAddress, path, headers, query, cookies, auth,
        principal, copy, issuedAt);
  }
}
