package dev.parley.host.jetty;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The addresses whose forwarding headers the host believes: single IP addresses and CIDR ranges, IPv4 or
 * IPv6, as literals only (a host name would make the check depend on DNS). Immutable and thread-safe.
 */
final class TrustedProxies {
  static final TrustedProxies NONE = new TrustedProxies(List.of());

  private final List<Range> ranges;

  private TrustedProxies(List<Range> ranges) {
    this.ranges = ranges;
  }

  /**
   * Parses {@code "10.0.0.7"}, {@code "10.0.0.0/8"}, {@code "::1"}, {@code "fd00::/8"}.
   *
   * @throws IllegalArgumentException naming the first entry that is not an IP literal or CIDR range
   */
  static TrustedProxies parse(List<String> entries) {
    return entries.isEmpty() ? NONE : new TrustedProxies(entries.stream().map(TrustedProxies::range).toList());
  }

  boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** Whether a textual IP address (as Jetty or a header gives it, IPv6 with or without brackets) is trusted. */
  boolean trusts(@Nullable String address) {
    if (address == null || ranges.isEmpty()) {
      return false;
    }
    byte[] bytes = literal(address);
    if (bytes == null) {
      return false;
    }
    for (Range range : ranges) {
      if (range.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /** The bytes of an IP literal, or null if it is not one (never a DNS lookup). */
  static byte @Nullable [] literal(String text) {
    String address = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (address.isEmpty() || !(address.indexOf(':') >= 0 || address.chars().allMatch(c -> c == '.' || (c >= '0'
        && c <= '9')))) {
      return null;
    }
    if (address.indexOf(':') >= 0 && !address.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16)
        >= 0)) {
      return null;
    }
    try {
      // A literal: InetAddress parses it without resolving anything.
      byte[] bytes = InetAddress.getByName(address).getAddress();
      return bytes.length == 16 && isMappedV4(bytes) ? Arrays.copyOfRange(bytes, 12, 16) : bytes;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean isMappedV4(byte[] v6) {
    for (int i = 0; i < 10; i++) {
      if (v6[i] != 0) {
        return false;
      }
    }
    return v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
  }

  private static Range range(String entry) {
    Objects.requireNonNull(entry, "trusted proxy");
    String trimmed = entry.strip();
    int slash = trimmed.indexOf('/');
    byte[] base = literal(slash < 0 ? trimmed : trimmed.substring(0, slash));
    if (base == null) {
      throw new IllegalArgumentException("a trusted proxy must be an IP address or a CIDR range such as"
          + " 10.0.0.0/8 (not a host name): \"" + entry + "\"");
    }
    int bits = base.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < 0 || bits > base.length * 8) {
        throw new IllegalArgumentException("the prefix length of trusted proxy \"" + entry + "\" must be 0.."
            + base.length * 8);
      }
    }
    return new Range(base, bits);
  }

  private record Range(byte[] base, int bits) {
    boolean contains(byte[] address) {
      if (address.length != base.length) {
        return false;
      }
      int whole = bits / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != base[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[whole] & mask) == (base[whole] & mask);
    }
  }
}
