package dev.parley.host.jetty;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.HostPort;
import org.jspecify.annotations.Nullable;

/**
 * The client's address, scheme and host as a trusted reverse proxy reports them ({@code Forwarded}, RFC 7239,
 * or else {@code X-Forwarded-For}, {@code -Proto}, {@code -Host}, {@code -Port}), seen by everything after it
 * as the request's own: {@code getRemoteAddr()}, {@code getScheme()}, {@code isSecure()}, {@code getServerName()}.
 * A request whose TCP peer is not a trusted proxy passes unchanged, whatever headers it carries.
 *
 * <p>The client is the rightmost address of the forwarding chain that is not a trusted proxy: every proxy
 * appends the address it received the request from, so the entries left of the first untrusted one may be
 * anything a client wrote. The scheme and host go with that entry ({@code Forwarded}), or are the values the
 * nearest proxy set ({@code X-Forwarded-*}, which proxies overwrite rather than append). Stateless and
 * thread-safe.
 */
final class ForwardedHeaders implements HttpConfiguration.Customizer {
  private final TrustedProxies trusted;

  ForwardedHeaders(TrustedProxies trusted) {
    this.trusted = trusted;
  }

  @Override
  public Request customize(Request request, HttpFields.Mutable responseHeaders) {
    SocketAddress peer = request.getConnectionMetaData().getRemoteSocketAddress();
    if (!(peer instanceof InetSocketAddress socket) || socket.getAddress() == null
        || !trusted.trusts(socket.getAddress().getHostAddress())) {
      return request;
    }
    Hop client = client(request.getHeaders());
    if (client == null) {
      return request;
    }
    return new Forwarded(request, client);
  }

  /** What the chain says of the client, or null when the proxy sent no forwarding header. */
  @Nullable Hop client(HttpFields headers) {
    List<Hop> chain = forwarded(headers);
    boolean standard = !chain.isEmpty();
    if (!standard) {
      chain = xForwarded(headers);
    }
    if (chain.isEmpty()) {
      return null;
    }
    Hop chosen = chain.get(0);
    for (int i = chain.size() - 1; i >= 0; i--) {
      Hop hop = chain.get(i);
      chosen = hop;
      if (hop.address() == null || !trusted.trusts(hop.address())) {
        break;
      }
    }
    if (standard) {
      return chosen;
    }
    // X-Forwarded-Proto and -Host are set by the nearest proxy: its (last) value describes the client's request.
    return new Hop(chosen.address(), chosen.port(), last(headers, "X-Forwarded-Proto"),
        last(headers, "X-Forwarded-Host"), parsePort(last(headers, "X-Forwarded-Port")));
  }

  private static List<Hop> forwarded(HttpFields headers) {
    List<Hop> chain = new ArrayList<>();
    for (HttpField field : headers) {
      if (!field.is("Forwarded")) {
        continue;
      }
      for (String element : split(field.getValue(), ',')) {
        String address = null;
        String proto = null;
        String host = null;
        for (String pair : split(element, ';')) {
          int eq = pair.indexOf('=');
          if (eq <= 0) {
            continue;
          }
          String name = pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
          String value = unquote(pair.substring(eq + 1).strip());
          switch (name) {
            case "for" -> address = value;
            case "proto" -> proto = value;
            case "host" -> host = value;
            default -> { }
          }
        }
        chain.add(hop(address, proto, host));
      }
    }
    return chain;
  }

  private static List<Hop> xForwarded(HttpFields headers) {
    List<Hop> chain = new ArrayList<>();
    for (HttpField field : headers) {
      if (field.is("X-Forwarded-For")) {
        for (String address : split(field.getValue(), ',')) {
          chain.add(hop(address.strip(), null, null));
        }
      }
    }
    return chain;
  }

  /** A hop from a {@code for} value: an IP literal with an optional port, or anything else (no address). */
  private static Hop hop(@Nullable String node, @Nullable String proto, @Nullable String host) {
    if (node == null || node.isEmpty()) {
      return new Hop(null, -1, proto, host, -1);
    }
    String address = node;
    int port = -1;
    if (node.startsWith("[")) {
      int close = node.indexOf(']');
      if (close > 0) {
        address = node.substring(1, close);
        port = node.length() > close + 2 && node.charAt(close + 1) == ':' ? parsePort(node.substring(close + 2))
            : -1;
      }
    } else if (node.indexOf(':') == node.lastIndexOf(':') && node.indexOf(':') > 0) {
      address = node.substring(0, node.indexOf(':'));
      port = parsePort(node.substring(node.indexOf(':') + 1));
    }
    return new Hop(TrustedProxies.literal(address) == null ? null : address, port, proto, host, -1);
  }

  private static @Nullable String last(HttpFields headers, String name) {
    String value = null;
    for (HttpField field : headers) {
      if (field.is(name)) {
        List<String> values = split(field.getValue(), ',');
        if (!values.isEmpty()) {
          value = values.get(values.size() - 1).strip();
        }
      }
    }
    return value == null || value.isEmpty() ? null : value;
  }

  private static int parsePort(@Nullable String text) {
    if (text == null || text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    int port = Integer.parseInt(text);
    return port <= 65_535 ? port : -1;
  }

  /** Splits on a separator outside double quotes. */
  private static List<String> split(@Nullable String value, char separator) {
    List<String> parts = new ArrayList<>();
    if (value == null) {
      return parts;
    }
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == separator && !quoted) {
        parts.add(value.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(value.substring(start));
    parts.removeIf(String::isBlank);
    return parts;
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
        ? value.substring(1, value.length() - 1) : value;
  }

  /**
   * One entry of the chain.
   *
   * @param address the IP literal, or null when the entry has none ({@code unknown}, an obfuscated name)
   * @param port the client's port, or -1
   * @param proto the scheme the client used, or null
   * @param host the host the client asked for, maybe with a port, or null
   * @param hostPort a port given apart from the host ({@code X-Forwarded-Port}), or -1
   */
  record Hop(@Nullable String address, int port, @Nullable String proto, @Nullable String host, int hostPort) {
  }

  /** The request as the client made it. */
  private static final class Forwarded extends Request.Wrapper {
    private final ConnectionMetaData connection;
    private final HttpURI uri;
    private final HttpFields headers;
    private final boolean secure;

    Forwarded(Request request, Hop client) {
      super(request);
      String scheme = client.proto() == null ? null : client.proto().toLowerCase(Locale.ROOT);
      boolean secure = scheme != null ? scheme.equals("https") || scheme.equals("wss")
          : request.getConnectionMetaData().isSecure();
      this.secure = secure;
      HttpURI.Mutable built = HttpURI.build(request.getHttpURI());
      if (scheme != null && (scheme.equals("http") || scheme.equals("https"))) {
        built.scheme(scheme);
      }
      HostPort authority = null;
      if (client.host() != null) {
        try {
          HostPort given = new HostPort(client.host());
          int port = client.hostPort() > 0 ? client.hostPort() : given.getPort();
          authority = new HostPort(given.getHost(), port);
          built.host(given.getHost()).port(port);
        } catch (IllegalArgumentException e) {
          authority = null; // a malformed host: keep the request's own
        }
      } else if (client.hostPort() > 0) {
        built.port(client.hostPort());
      }
      this.uri = built.asImmutable();
      // Jetty refuses a request whose authority and Host header differ: the Host is the client's too.
      this.headers = authority == null ? request.getHeaders()
          : HttpFields.build(request.getHeaders()).put(HttpHeader.HOST, authority.toString()).asImmutable();
      InetSocketAddress remote = remote(client, request.getConnectionMetaData().getRemoteSocketAddress());
      HostPort serverAuthority = authority;
      this.connection = new ConnectionMetaData.Wrapper(request.getConnectionMetaData()) {
        @Override
        public SocketAddress getRemoteSocketAddress() {
          return remote;
        }

        @Override
        public boolean isSecure() {
          return secure;
        }

        @Override
        public HostPort getServerAuthority() {
          return serverAuthority != null ? serverAuthority : super.getServerAuthority();
        }
      };
    }

    private static InetSocketAddress remote(Hop client, SocketAddress peer) {
      if (client.address() != null) {
        try {
          // An IP literal (checked when parsed): no name is looked up.
          InetAddress address = InetAddress.getByName(client.address());
          return new InetSocketAddress(address, Math.max(client.port(), 0));
        } catch (UnknownHostException e) {
          // fall through to the peer
        }
      }
      return (InetSocketAddress) peer;
    }

    @Override
    public boolean isSecure() {
      return secure;
    }

    @Override
    public HttpFields getHeaders() {
      return headers;
    }

    @Override
    public HttpURI getHttpURI() {
      return uri;
    }

    @Override
    public ConnectionMetaData getConnectionMetaData() {
      return connection;
    }
  }
}
