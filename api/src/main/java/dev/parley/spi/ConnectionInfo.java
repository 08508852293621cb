package dev.parley.spi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.Map;
import java.util.Objects;

/**
 * What a transport knows of a connection when it opens: the raw material of each
 * {@link dev.parley.Handshake}.
 *
 * @param transport the transport's name
 * @param remoteAddress the peer address, {@code host:port}
 * @param path the request path
 * @param headers request headers, names in lower case
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

  public ConnectionInfo {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(path, "path");
    headers = Map.copyOf(headers);
    query = Map.copyOf(query);
    cookies = Map.copyOf(cookies);
  }

  /**
   * Info for an HTTP request, as a Servlet hands it over: header names are lower-cased, every
   * parameter keeps its values, and cookies are read from the {@code Cookie} headers (the first value of
   * a name wins).
   *
   * @param headerNames the request's header names
   * @param headerValues a header's values, by name
   * @param parameters the request's parameters (query and form), as {@code getParameterMap()} gives them
   */
  public static ConnectionInfo http(String transport, String remoteAddress, String path,
                                    Iterable<String> headerNames, Function<String, Iterable<String>> headerValues,
                                    Map<String, String[]> parameters) {
    Map<String, List<String>> headers = new HashMap<>();
    for (String name : headerNames) {
      List<String> values = new ArrayList<>();
      headerValues.apply(name).forEach(values::add);
      headers.merge(name.toLowerCase(Locale.ROOT), values, (a, b) -> {
        List<String> merged = new ArrayList<>(a);
        merged.addAll(b);
        return merged;
      });
    }
    Map<String, List<String>> query = new HashMap<>();
    parameters.forEach((name, values) -> query.put(name, List.of(values)));
    Map<String, String> cookies = new HashMap<>();
    for (String header : headers.getOrDefault("cookie", List.of())) {
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
    }
    return new ConnectionInfo(transport, remoteAddress, path, headers, query, cookies);
  }

  /** Info with no HTTP details, for transports without them. */
  public static ConnectionInfo of(String transport, String remoteAddress) {
    return new ConnectionInfo(transport, remoteAddress, "/", Map.of(), Map.of(), Map.of());
  }
}
