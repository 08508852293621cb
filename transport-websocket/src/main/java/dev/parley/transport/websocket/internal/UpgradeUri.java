package dev.parley.transport.websocket.internal;

import java.net.URI;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Request;

/**
 * A request's URI as Jetty's WebSocket handshaker is shown it: the request's own in every part, except that as a
 * {@link URI} it is only the path, and one shared per path. The handshaker keeps for each socket's life a
 * {@code Negotiated} made from {@link #toURI()}: made anew per request, with its scheme, host, authority, path and
 * whole text as Strings and a map of the query's parameters, that was about 0.9 KiB per idle connection that
 * Parley never reads (it has its own {@link dev.parley.spi.ConnectionInfo}). A URI without a scheme is kept as it
 * is given, so every socket of one path shares it. Immutable.
 */
final class UpgradeUri implements HttpURI {
  // The paths a server upgrades on are few (the one it serves, with or without its trailing slash): at most this
  // many are kept, and a request on any other path gets a URI of its own.
  private static final int MOST_PATHS = 16;
  private static final ConcurrentHashMap<String, URI> PATHS = new ConcurrentHashMap<>();

  private final HttpURI request;
  private final URI path;

  private UpgradeUri(HttpURI request, URI path) {
    this.request = request;
    this.path = path;
  }

  /** {@code core} as the handshaker is to see it: the same request, its URI an {@code UpgradeUri}. */
  static Request of(Request core) {
    HttpURI uri = core.getHttpURI();
    UpgradeUri shown = new UpgradeUri(uri, shared(uri));
    return new Request.Wrapper(core) {
      @Override
      public HttpURI getHttpURI() {
        return shown;
      }
    };
  }

  private static URI shared(HttpURI uri) {
    String path = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
    URI known = PATHS.get(path);
    if (known != null) {
      return known;
    }
    URI made;
    if (path.startsWith("//")) {
      // It would read as an authority: the request's own URI, less its query.
      return HttpURI.build(uri).query(null).asImmutable().toURI();
    }
    try {
      // The path as a relative reference: Jetty gives it as it came, escaped.
      made = URI.create(path);
    } catch (IllegalArgumentException e) {
      // A path Jetty took and java.net.URI does not: the request's own URI, less its query (whose parameters the
      // handshaker would keep in a map).
      return HttpURI.build(uri).query(null).asImmutable().toURI();
    }
    if (PATHS.size() >= MOST_PATHS) {
      return made;
    }
    URI raced = PATHS.putIfAbsent(path, made);
    return raced != null ? raced : made;
  }

  /** The request's path alone, as a relative URI shared by every request on that path. */
  @Override
  public URI toURI() {
    return path;
  }

  @Override
  public Immutable asImmutable() {
    return request.asImmutable();
  }

  @Override
  public String asString() {
    return request.asString();
  }

  @Override
  public String getAuthority() {
    return request.getAuthority();
  }

  @Override
  public String getDecodedPath() {
    return request.getDecodedPath();
  }

  @Override
  public String getCanonicalPath() {
    return request.getCanonicalPath();
  }

  @Override
  public String getFragment() {
    return request.getFragment();
  }

  @Override
  public String getHost() {
    return request.getHost();
  }

  @Override
  public String getParam() {
    return request.getParam();
  }

  @Override
  public String getPath() {
    return request.getPath();
  }

  @Override
  public String getPathQuery() {
    return request.getPathQuery();
  }

  @Override
  public int getPort() {
    return request.getPort();
  }

  @Override
  public String getQuery() {
    return request.getQuery();
  }

  @Override
  public String getScheme() {
    return request.getScheme();
  }

  @Override
  public String getUser() {
    return request.getUser();
  }

  @Override
  public boolean hasAuthority() {
    return request.hasAuthority();
  }

  @Override
  public boolean isAbsolute() {
    return request.isAbsolute();
  }

  @Override
  public boolean isAmbiguous() {
    return request.isAmbiguous();
  }

  @Override
  public boolean hasViolations() {
    return request.hasViolations();
  }

  @Override
  public boolean hasViolation(UriCompliance.Violation violation) {
    return request.hasViolation(violation);
  }

  @Override
  public Collection<UriCompliance.Violation> getViolations() {
    return request.getViolations();
  }

  @Override
  public String toString() {
    return request.toString();
  }
}
