package dev.parley.spi;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Which browser origins may connect: an allow-list of {@code scheme://host[:port]} values, {@code "*"}
 * for any, or (when empty) the request's own origin only: the same scheme, host and port. Shared by the HTTP
 * transports so they answer the same way. Immutable and thread-safe.
 */
public record OriginPolicy(List<String> allowed) {

  public OriginPolicy {
    allowed = List.copyOf(allowed);
  }

  /**
   * Whether a request may proceed.
   *
   * @param origin the {@code Origin} header, or null when absent (not a browser: allowed)
   * @param scheme the scheme the request came in with ({@code http} or {@code https}, as the container
   *     reports it: behind a proxy that terminates TLS, only if the container honours the proxy's
   *     {@code X-Forwarded-Proto} or {@code Forwarded} header), for the same-origin default
   * @param host the {@code Host} header of the request, for the same-origin default
   */
  public boolean allows(@Nullable String origin, @Nullable String scheme, @Nullable String host) {
    if (origin == null) {
      return true;
    }
    if (allowed.contains("*") || allowed.contains(origin)) {
      return true;
    }
    if (!allowed.isEmpty() || scheme == null || host == null) {
      return false;
    }
    try {
      URI from = URI.create(origin);
      URI self = URI.create(scheme + "://" + host);
      if (from.getScheme() == null || from.getHost() == null || self.getHost() == null
          || from.getRawUserInfo() != null || self.getRawUserInfo() != null) {
        return false;
      }
      String fromScheme = from.getScheme().toLowerCase(Locale.ROOT);
      String selfScheme = self.getScheme().toLowerCase(Locale.ROOT);
      return fromScheme.equals(selfScheme)
          && from.getHost().toLowerCase(Locale.ROOT).equals(self.getHost().toLowerCase(Locale.ROOT))
          && port(from.getPort(), fromScheme) == port(self.getPort(), selfScheme);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Whether an allowed cross-origin request is answered with credentials ({@code Access-Control-Allow-Origin}
   * naming the origin and {@code Access-Control-Allow-Credentials: true}), or as public ({@code *}, with no
   * credentials: the browser then sends no cookies and shows the page no answer that needed them). An origin
   * the policy lists, or the request's own, gets credentials; one let in only by {@code "*"} does not, so
   * {@code "*"} never hands a logged-in user's session to any site.
   *
   * @param origin the {@code Origin} header of a request {@link #allows} let through
   */
  public boolean withCredentials(String origin) {
    return !allowed.contains("*") || allowed.contains(origin);
  }

  /**
   * Whether a request may proceed, its own origin given as a Servlet request reports it
   * ({@code getScheme()}, {@code getServerName()}, {@code getServerPort()}): what a container that honours a
   * trusted proxy's forwarding headers rewrites, and what HTTP/2 carries in {@code :authority} rather than a
   * {@code Host} header.
   *
   * @param origin the {@code Origin} header, or null when absent (not a browser: allowed)
   * @param scheme the request's scheme
   * @param serverName the request's host name or IP address (an IPv6 address with or without brackets)
   * @param serverPort the request's port
   */
  public boolean allows(@Nullable String origin, @Nullable String scheme, @Nullable String serverName,
      int serverPort) {
    if (serverName == null || serverName.isEmpty()) {
      return allows(origin, scheme, null);
    }
    String host = serverName.indexOf(':') >= 0 && !serverName.startsWith("[") ? "[" + serverName + "]" : serverName;
    return allows(origin, scheme, serverPort > 0 ? host + ":" + serverPort : host);
  }

  // An absent port is the scheme's default, so http://host and http://host:80 are one origin.
  private static int port(int port, String scheme) {
    if (port >= 0) {
      return port;
    }
    return switch (scheme) {
      case "http", "ws" -> 80;
      case "https", "wss" -> 443;
      default -> -1;
    };
  }
}
