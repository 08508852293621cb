package dev.parley.spi;

import java.util.List;
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

  /** Info with no HTTP details, for transports without them. */
  public static ConnectionInfo of(String transport, String remoteAddress) {
    return new ConnectionInfo(transport, remoteAddress, "/", Map.of(), Map.of(), Map.of());
  }
}
