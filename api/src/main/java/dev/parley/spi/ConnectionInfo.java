package dev.parley.spi;

import dev.parley.internal.support.PairMap;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What a transport knows of a connection when it opens: the raw material of each
 * {@link dev.parley.Handshake}.
 *
 * @param transport the transport's name
 * @param remoteAddress the peer address, {@code host:port}
 * @param path the request path
 * @param headers request headers, names in lower case (not the WebSocket handshake's one-time
 *     {@code Sec-WebSocket-Key})
 * @param query query parameters
 * @param cookies cookies by name
 */
public record ConnectionInfo(
    String transport,
    String remoteAddress,
    String path,
    Map<String, List<String>> headers,
    Map<String, List<String>> query,
    Map<String, String> cookies) {
  // Every connection keeps its headers for its life: a well-known name, in whatever case it came, is stored as
  // one shared lower-case String rather than a new one per connection.
  private static final Map<String, String> KNOWN_HEADERS = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  // Engine.IO's own query names and values, the same on every connection.
  private static final Map<String, String> KNOWN_QUERY = new HashMap<>();
  private static final String HANDSHAKE_NONCE = "sec-websocket-key";
  // Engine.IO's queries are a handful; a client's headers that repeat across clients, a few per kind of client.
  private static final SharedPairMaps SHARED_QUERIES = new SharedPairMaps(4, 64);
  private static final SharedPairMaps SHARED_HEADERS = new SharedPairMaps(32, 256);
  // Room for this many header values before the array grows: a browser's upgrade request has about a dozen.
  private static final int INITIAL_HEADERS = 16;

  static {
    for (String name : List.of("host", "connection", "upgrade", "user-agent", "origin", "cookie", "accept",
        "accept-encoding", "accept-language", "cache-control", "pragma", "referer", "sec-websocket-key",
        "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol", "x-forwarded-for",
        "x-forwarded-proto", "x-forwarded-host", "x-real-ip", "forwarded", "authorization", "content-type",
        "content-length", "last-event-id", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest")) {
      KNOWN_HEADERS.put(name, name);
    }
    for (String text : List.of("EIO", "4", "3", "transport", "websocket", "polling", "sid", "t", "b64",
        "lastEventId")) {
      KNOWN_QUERY.put(text, text);
    }
  }

  /**
   * Holds the three maps as given if they came from {@link #http}, else as immutable copies.
   *
   * @throws NullPointerException if a component, a map key or a map value is null
   */
  public ConnectionInfo {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(path, "path");
    headers = PairMap.copyOf(headers);
    query = PairMap.copyOf(query);
    cookies = PairMap.copyOf(cookies);
  }

  /**
   * Info for an HTTP request, as a Servlet hands it over: header names are lower-cased (the values of names
   * that differ only in case merged, in order), every parameter keeps its values, and cookies are read from
   * the {@code Cookie} headers (the first value of a name wins). The three maps are immutable, their lists
   * too; a header name with no value is left out, and so is {@code Sec-WebSocket-Key}, the WebSocket
   * handshake's one-time nonce, of no use once the socket is open (each connection would keep it for its life).
   * A query made only of Engine.IO's own names and values ({@code EIO=4&transport=websocket}), and headers made
   * only of values that repeat across clients (no cookie, no authorization, nothing too long), are one map
   * shared by every connection that sends them.
   *
   * @param headerNames the request's header names
   * @param headerValues a header's values, by name
   * @param parameters the request's parameters (query and form), as {@code getParameterMap()} gives them
   */
  public static ConnectionInfo http(String transport, String remoteAddress, String path,
                                    Iterable<String> headerNames, Function<String, Iterable<String>> headerValues,
                                    Map<String, String[]> parameters) {
    // Kept flat as they come (PairMap groups a name's values): no map or list per name made only to be dropped.
    String[] headers = new String[2 * INITIAL_HEADERS];
    int headerEnd = 0;
    Map<String, String> cookies = null;
    boolean headersShared = true;
    for (String name : headerNames) {
      String lowerCase = lowerCase(name);
      if (lowerCase.equals(HANDSHAKE_NONCE)) {
        continue;
      }
      boolean repeats = SharedValues.REPEATING.contains(lowerCase);
      for (String value : headerValues.apply(name)) {
        if (headerEnd == headers.length) {
          headers = Arrays.copyOf(headers, 2 * headers.length);
        }
        String shared = repeats ? SharedValues.share(value) : null;
        headersShared &= shared != null;
        headers[headerEnd++] = lowerCase;
        headers[headerEnd++] = shared != null ? shared : value;
        if (lowerCase.equals("cookie")) {
          cookies = cookies(value, cookies);
        }
      }
    }
    int queryValues = 0;
    for (String[] values : parameters.values()) {
      queryValues += values.length;
    }
    String[] query = new String[2 * queryValues];
    int queryEnd = 0;
    boolean known = true;
    for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
      String name = KNOWN_QUERY.get(parameter.getKey());
      known &= name != null;
      for (String value : parameter.getValue()) {
        String knownValue = KNOWN_QUERY.get(value);
        known &= knownValue != null;
        query[queryEnd++] = name != null ? name : parameter.getKey();
        query[queryEnd++] = knownValue != null ? knownValue : value;
      }
    }
    return new ConnectionInfo(transport, remoteAddress, sharedOr(path),
        headersShared ? SHARED_HEADERS.of(headers, headerEnd) : PairMap.ofPairs(headers, headerEnd),
        known ? SHARED_QUERIES.of(query, queryEnd) : PairMap.ofPairs(query, queryEnd),
        cookies == null ? Map.of() : PairMap.of(cookies));
  }

  // The cookies of one Cookie header added to those of the headers before it (a name's first value kept).
  private static Map<String, String> cookies(String header, @Nullable Map<String, String> before) {
    Map<String, String> cookies = before == null ? new LinkedHashMap<>() : before;
    for (String pair : header.split(";")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        String value = pair.substring(equals + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        cookies.putIfAbsent(pair.substring(0, equals).trim(), value);
      }
    }
    return cookies;
  }

  /**
   * The parameters of a raw query string ({@code a=1&b=2&a=3}), shaped as {@code getParameterMap()} gives them:
   * names and values percent-decoded as UTF-8 ({@code +} is a space), every value of a name in order, a name
   * without {@code =} with an empty value, a part without a name left out. Unlike a Servlet container, which may
   * refuse the request, it keeps a part whose escapes are malformed as it came. For a transport that reads a request
   * without a Servlet container's help; linear in the query's length.
   *
   * @param query the query, without its {@code ?}; null or empty for none
   * @return a new mutable map, in the order the names first appear
   */
  public static Map<String, String[]> queryParameters(@Nullable String query) {
    Map<String, List<String>> grouped = new LinkedHashMap<>();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int equals = pair.indexOf('=');
        String name = decode(equals < 0 ? pair : pair.substring(0, equals));
        if (name.isEmpty()) {
          continue;
        }
        String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
        grouped.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
      }
    }
    Map<String, String[]> parameters = new LinkedHashMap<>();
    grouped.forEach((name, values) -> parameters.put(name, values.toArray(String[]::new)));
    return parameters;
  }

  private static String decode(String part) {
    if (part.indexOf('%') < 0 && part.indexOf('+') < 0) {
      return part;
    }
    try {
      return URLDecoder.decode(part, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return part;
    }
  }

  /**
   * Header values and paths that most connections repeat (the {@code Host}, {@code Upgrade: websocket}, an
   * {@code Origin}, a browser's {@code User-Agent}, {@code /socket.io/}) kept as one String each rather than
   * one per connection for its life. Only the values of headers that repeat across clients are offered (not
   * a key, a cookie or an address, which would fill it with values seen once). Bounded: values over
   * {@value #LONGEST} characters are not shared, and once {@value #MOST} values are held no more are added (at
   * most about 1 MiB whatever clients send; values sent after that are kept per connection, as before).
   */
  private static final class SharedValues {
    static final Set<String> REPEATING = Set.of("host", "connection", "upgrade", "user-agent", "origin", "accept",
        "accept-encoding", "accept-language", "cache-control", "pragma", "referer", "sec-websocket-version",
        "sec-websocket-extensions", "sec-websocket-protocol", "x-forwarded-proto", "x-forwarded-host",
        "content-type", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest");
    private static final int LONGEST = 256;
    private static final int MOST = 2048;
    private static final ConcurrentHashMap<String, String> VALUES = new ConcurrentHashMap<>();

    /** The one String kept for {@code value}, or null if it is not kept (too long, or the table is full). */
    static @Nullable String share(String value) {
      if (value.length() > LONGEST) {
        return null;
      }
      String shared = VALUES.get(value);
      if (shared != null) {
        return shared;
      }
      if (VALUES.size() >= MOST) {
        return null;
      }
      shared = VALUES.putIfAbsent(value, value);
      return shared != null ? shared : value;
    }
  }

  private static String sharedOr(String value) {
    String shared = SharedValues.share(value);
    return shared != null ? shared : value;
  }

  /**
   * Whole maps that many connections send alike (a query of Engine.IO's own names and values only, headers whose
   * every value repeats across clients), one map each for every connection that sends it. Bounded: at most
   * {@code most} maps of at most {@code longest} pairs are held; others are kept per connection.
   */
  private static final class SharedPairMaps {
    private final int longest;
    private final int most;
    private final ConcurrentHashMap<List<String>, Map<String, List<String>>> maps = new ConcurrentHashMap<>();

    SharedPairMaps(int longest, int most) {
      this.longest = longest;
      this.most = most;
    }

    Map<String, List<String>> of(String[] pairs, int length) {
      if (length > 2 * longest) {
        return PairMap.ofPairs(pairs, length);
      }
      // A copy: ofPairs may regroup the array in place.
      List<String> key = List.of(Arrays.copyOf(pairs, length));
      Map<String, List<String>> shared = maps.get(key);
      if (shared != null) {
        return shared;
      }
      Map<String, List<String>> made = PairMap.ofPairs(pairs, length);
      if (maps.size() >= most) {
        return made;
      }
      shared = maps.putIfAbsent(key, made);
      return shared != null ? shared : made;
    }
  }

  private static String lowerCase(String name) {
    String known = KNOWN_HEADERS.get(name);
    return known != null ? known : name.toLowerCase(Locale.ROOT);
  }

  /** Info with no HTTP details, for transports without them. */
  public static ConnectionInfo of(String transport, String remoteAddress) {
    return new ConnectionInfo(transport, remoteAddress, "/", Map.of(), Map.of(), Map.of());
  }
}
