package dev.parley.spi;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Which browser origins may connect: an allow-list of {@code scheme://host[:port]} values, {@code "*"}
 * for any, or (when empty) the request's own host only. Shared by the HTTP transports so they answer
 * the same way. Immutable and thread-safe.
 */
public record OriginPolicy(List<String> allowed) {

  public OriginPolicy {
    allowed = List.copyOf(allowed);
  }

  /**
   * Whether a request may proceed.
   *
   * @param origin the {@code Origin} header, or null when absent (not a browser: allowed)
   * @param host the {@code Host} header of the request, for the same-origin default
   */
  public boolean allows(@Nullable String origin, @Nullable String host) {
    if (origin == null) {
      return true;
    }
    if (allowed.contains("*") || allowed.contains(origin)) {
      return true;
    }
    if (!allowed.isEmpty() || host == null) {
      return false;
    }
    try {
      URI uri = URI.create(origin);
      if (uri.getHost() == null) {
        return false;
      }
      String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
      return authority.toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
