package dev.parley.transport.websocket.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser client the transport serves beside Engine.IO: {@code socket.io.js}, its minified variant
 * {@code socket.io.min.js} (minified by {@link ScriptMinifier} when first asked for) and the TypeScript
 * declarations {@code socket.io.d.ts}, each read once from the class path and held as bytes with its gzip
 * encoding and its ETag. Answers {@code GET} and {@code HEAD} with caching headers, {@code If-None-Match} with
 * 304, other methods with 405; a file missing from the class path with 404 (logged once at WARN). Thread-safe.
 */
public final class ClientScript {
  /** The class-path resource of the browser client script. */
  public static final String SCRIPT = "META-INF/parley/socket.io.js";
  /** The class-path resource of its TypeScript declarations. */
  public static final String TYPES = "META-INF/parley/socket.io.d.ts";
  // The URL carries no version, so an upgraded server's script must reach browsers within this age; after it a
  // revalidation costs a 304. The protocol the script speaks is stable, so a day-old copy still works.
  static final String CACHE_CONTROL = "public, max-age=86400";
  private static final Set<String> NAMES = Set.of("/socket.io.js", "/socket.io.min.js", "/socket.io.d.ts");
  private static final String JAVASCRIPT = "text/javascript; charset=utf-8";
  private static final Logger log = LoggerFactory.getLogger(ClientScript.class);

  private final String scriptResource;
  private final String typesResource;
  private final Object lock = new Object();
  private volatile @Nullable Assets assets;

  /** Serves the script at the class-path resource {@code scriptResource}, its declarations at {@code typesResource}. */
  public ClientScript(String scriptResource, String typesResource) {
    this.scriptResource = scriptResource;
    this.typesResource = typesResource;
  }

  /** A file as served: its bytes, their gzip encoding if smaller, and the strong ETag of each. */
  private record Asset(String contentType, byte[] bytes, byte @Nullable [] gzip, String etag, String gzipEtag) {
    static Asset of(String contentType, byte[] bytes) {
      String hash = Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(sha256(bytes), 16));
      byte[] gzip = compress(bytes);
      // The two encodings are two representations: RFC 9110 wants a strong ETag for each.
      return new Asset(contentType, bytes, gzip.length < bytes.length ? gzip : null, "\"" + hash + "\"",
          "\"" + hash + "-gzip\"");
    }
  }

  private record Assets(@Nullable Asset script, @Nullable Asset minified, @Nullable Asset types) {
  }

  /** Whether {@code request} (under the transport's path) names one of the client files. */
  boolean serves(HttpServletRequest request) {
    String name = request.getPathInfo();
    return name != null && NAMES.contains(name);
  }

  /** Answers a request {@link #serves} accepted. */
  void serve(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String method = request.getMethod();
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      response.setHeader("Allow", "GET, HEAD");
      response.setStatus(405);
      response.setContentLength(0);
      return;
    }
    String name = request.getPathInfo().substring(1);
    Asset asset = asset(assets(), name);
    if (asset == null) {
      response.setStatus(404);
      response.setContentLength(0);
      return;
    }
    boolean gzip = asset.gzip() != null && acceptsGzip(request);
    String etag = gzip ? asset.gzipEtag() : asset.etag();
    response.setHeader("Cache-Control", CACHE_CONTROL);
    response.setHeader("ETag", etag);
    response.setHeader("Vary", "Accept-Encoding");
    // A public file: any page may load it, also with `<script crossorigin>` or `import`, which need CORS.
    response.setHeader("Access-Control-Allow-Origin", "*");
    if (matches(request, asset)) {
      response.setStatus(304);
      return;
    }
    byte[] body = gzip ? asset.gzip() : asset.bytes();
    response.setStatus(200);
    response.setContentType(asset.contentType());
    response.setHeader("X-Content-Type-Options", "nosniff");
    if (gzip) {
      response.setHeader("Content-Encoding", "gzip");
    }
    response.setContentLength(body.length);
    if ("GET".equals(method)) {
      response.getOutputStream().write(body);
    }
  }

  private static @Nullable Asset asset(Assets assets, String name) {
    return switch (name) {
      case "socket.io.js" -> assets.script();
      case "socket.io.min.js" -> assets.minified();
      case "socket.io.d.ts" -> assets.types();
      default -> null;
    };
  }

  private Assets assets() {
    Assets loaded = assets;
    if (loaded == null) {
      synchronized (lock) {
        loaded = assets;
        if (loaded == null) {
          loaded = load();
          assets = loaded;
        }
      }
    }
    return loaded;
  }

  private Assets load() {
    byte @Nullable [] script = read(scriptResource);
    byte @Nullable [] types = read(typesResource);
    Asset minified = null;
    if (script != null) {
      String source = new String(script, StandardCharsets.UTF_8);
      try {
        minified = Asset.of(JAVASCRIPT, ScriptMinifier.minify(source).getBytes(StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        // A mistake in this project's script, which a test catches; browsers still get a working client.
        log.warn("the client script {} cannot be minified ({}): socket.io.min.js serves it whole", scriptResource,
            e.getMessage());
        minified = Asset.of(JAVASCRIPT, script);
      }
    }
    // TypeScript declarations have no registered media type; as text a browser shows them.
    return new Assets(script == null ? null : Asset.of(JAVASCRIPT, script), minified,
        types == null ? null : Asset.of("text/plain; charset=utf-8", types));
  }

  private static byte @Nullable [] read(String resource) {
    try (InputStream in = ClientScript.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        log.warn("{} is not on the class path: its URL answers 404", resource);
        return null;
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  private static boolean matches(HttpServletRequest request, Asset asset) {
    for (String header : Collections.list(request.getHeaders("If-None-Match"))) {
      for (String tag : header.split(",")) {
        String opaque = tag.trim();
        // If-None-Match compares weakly (RFC 9110 section 13.1.2): a W/ prefix does not matter.
        if (opaque.startsWith("W/")) {
          opaque = opaque.substring(2);
        }
        if (opaque.equals("*") || opaque.equals(asset.etag()) || opaque.equals(asset.gzipEtag())) {
          return true;
        }
      }
    }
    return false;
  }

  // RFC 9110 section 12.5.3: gzip (or x-gzip), or `*`, with a q-value above 0; gzip's own entry wins over `*`.
  private static boolean acceptsGzip(HttpServletRequest request) {
    @Nullable Double gzip = null;
    @Nullable Double any = null;
    for (String header : Collections.list(request.getHeaders("Accept-Encoding"))) {
      for (String entry : header.split(",")) {
        String[] parts = entry.split(";");
        String coding = parts[0].trim().toLowerCase(Locale.ROOT);
        double q = quality(parts);
        if (coding.equals("gzip") || coding.equals("x-gzip")) {
          gzip = q;
        } else if (coding.equals("*")) {
          any = q;
        }
      }
    }
    return gzip != null ? gzip > 0 : any != null && any > 0;
  }

  private static double quality(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim();
      if (parameter.length() > 2 && parameter.substring(0, 2).equalsIgnoreCase("q=")) {
        try {
          return Double.parseDouble(parameter.substring(2).trim());
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 1;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static byte[] compress(byte[] bytes) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(bytes.length / 3 + 64);
    try (GZIPOutputStream out = new GZIPOutputStream(buffer) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }
}
