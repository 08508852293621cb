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
