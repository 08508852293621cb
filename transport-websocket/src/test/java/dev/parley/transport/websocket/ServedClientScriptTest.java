package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.testsupport.Timeouts;
import dev.parley.transport.websocket.internal.ClientScript;
import dev.parley.transport.websocket.internal.NodeRun;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The browser client files the transport serves beside Engine.IO, with raw HTTP requests to the embedded host. */
class ServedClientScriptTest {
  private static final String FIXTURE = "META-INF/parley-test/client-fixture.js";

  private static final HttpClient http = HttpClient.newHttpClient();
  // The files are read-only, so the tests on the default config share one server; the others start their own.
  private static ChatServer shared;
  private ChatServer server;
  private String base;

  @AfterEach
  void stop() {
    if (server != null && server != shared) {
      server.close();
    }
  }

  @AfterAll
  static void stopShared() {
    if (shared != null) {
      shared.close();
    }
  }

  private void start(WebSocketTransportConfig config, String script) {
    server = SocketIoTestApp.start(new WebSocketTransport(config, script), b -> { });
    base = SocketIoTestApp.url(server);
  }

  private void start() {
    if (shared == null) {
      shared = SocketIoTestApp.start(new WebSocketTransport(WebSocketTransportConfig.defaults(), FIXTURE), b -> { });
    }
    server = shared;
    base = SocketIoTestApp.url(shared);
  }

  private HttpResponse<byte[]> send(String path, String... headers) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)), headers);
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder request, String... headers) throws Exception {
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.timeout(Timeouts.STEP).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ServedClientScriptTest.class.getResourceAsStream("/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  // Containers differ in the space they write after the `;`.
  private static String contentType(HttpResponse<?> response) {
    return header(response, "Content-Type").replace(" ", "");
  }

  @Test
  void theScriptIsServedWithItsTypeAndCachingHeaders() throws Exception {
    start();

    HttpResponse<byte[]> response = send("/socket.io/socket.io.js");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(resource(FIXTURE));
    assertThat(contentType(response)).isEqualTo("text/javascript;charset=utf-8");
    assertThat(header(response, "Content-Length")).isEqualTo(String.valueOf(response.body().length));
    assertThat(header(response, "Cache-Control")).isEqualTo("public, max-age=86400");
    assertThat(header(response, "ETag")).matches("\"[A-Za-z0-9_-]{22}\"");
    assertThat(header(response, "Vary")).isEqualTo("Accept-Encoding");
    assertThat(header(response, "X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(header(response, "Content-Encoding")).isNull();
  }

  @Test
  void aCurrentEtagGets304() throws Exception {
    start();
    String etag = header(send("/socket.io/socket.io.js"), "ETag");

    HttpResponse<byte[]> same = send("/socket.io/socket.io.js", "If-None-Match", etag);
    HttpResponse<byte[]> listed = send("/socket.io/socket.io.js", "If-None-Match", "\"other\", W/" + etag);
    HttpResponse<byte[]> stale = send("/socket.io/socket.io.js", "If-None-Match", "\"other\"");

    assertThat(same.statusCode()).isEqualTo(304);
    assertThat(same.body()).isEmpty();
    assertThat(header(same, "ETag")).isEqualTo(etag);
    assertThat(header(same, "Cache-Control")).isEqualTo("public, max-age=86400");
    assertThat(listed.statusCode()).isEqualTo(304);
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.body()).isEqualTo(resource(FIXTURE));
  }

  @Test
  void gzipIsSentToClientsThatAcceptIt() throws Exception {
    start();
    HttpResponse<byte[]> plain = send("/socket.io/socket.io.js");

    HttpResponse<byte[]> gzip = send("/socket.io/socket.io.js", "Accept-Encoding", "br;q=1, gzip;q=0.8");
    HttpResponse<byte[]> refused = send("/socket.io/socket.io.js", "Accept-Encoding", "*, gzip;q=0");
    HttpResponse<byte[]> any = send("/socket.io/socket.io.js", "Accept-Encoding", "*");

    assertThat(header(gzip, "Content-Encoding")).isEqualTo("gzip");
    assertThat(header(gzip, "Vary")).isEqualTo("Accept-Encoding");
    assertThat(gzip.body().length).isLessThan(plain.body().length);
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip.body()))) {
      assertThat(in.readAllBytes()).isEqualTo(plain.body());
    }
    // Another representation, another strong validator; either still validates.
    assertThat(header(gzip, "ETag")).isNotEqualTo(header(plain, "ETag"));
    assertThat(send("/socket.io/socket.io.js", "Accept-Encoding", "gzip", "If-None-Match", header(gzip, "ETag"))
        .statusCode()).isEqualTo(304);
    assertThat(header(refused, "Content-Encoding")).isNull();
    assertThat(refused.body()).isEqualTo(plain.body());
    assertThat(header(any, "Content-Encoding")).isEqualTo("gzip");
  }

  @Test
  void headAnswersTheHeadersWithoutTheBody() throws Exception {
    start();

    HttpResponse<byte[]> head = send(HttpRequest.newBuilder(URI.create(base + "/socket.io/socket.io.js"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()));

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(header(head, "Content-Length")).isEqualTo(String.valueOf(resource(FIXTURE).length));
    assertThat(header(head, "ETag")).isNotNull();
  }

  @Test
  void otherMethodsGet405() throws Exception {
    start();

    HttpResponse<byte[]> post = send(HttpRequest.newBuilder(URI.create(base + "/socket.io/socket.io.js"))
        .POST(HttpRequest.BodyPublishers.ofString("x")));

    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(header(post, "Allow")).isEqualTo("GET, HEAD");
  }

  @Test
  void anyOriginMayLoadTheScript() throws Exception {
    start();

    HttpResponse<byte[]> script = send("/socket.io/socket.io.js", "Origin", "https://elsewhere.example");
    HttpResponse<byte[]> handshake = send("/socket.io/?EIO=4&transport=polling", "Origin", "https://elsewhere.example");

    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(header(script, "Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(handshake.statusCode()).as("the Engine.IO origin check still applies").isEqualTo(403);
  }

  @Test
  void withServeClientOffTheUrlsStayEngineIos() throws Exception {
    start(WebSocketTransportConfig.builder().serveClient(false).build(), FIXTURE);

    for (String file : List.of("socket.io.js", "socket.io.min.js", "socket.io.d.ts")) {
      HttpResponse<byte[]> response = send("/socket.io/" + file);
      assertThat(response.statusCode()).as(file).isEqualTo(400);
      assertThat(new String(response.body(), StandardCharsets.UTF_8))
          .isEqualTo("{\"code\":0,\"message\":\"Transport unknown\"}");
    }
  }

  @Test
  void theMinifiedScriptIsSmallerAndValidJavaScript(@TempDir Path dir) throws Exception {
    start();

    HttpResponse<byte[]> minified = send("/socket.io/socket.io.min.js");

    assertThat(minified.statusCode()).isEqualTo(200);
    assertThat(contentType(minified)).isEqualTo("text/javascript;charset=utf-8");
    assertThat(header(minified, "ETag")).isNotEqualTo(header(send("/socket.io/socket.io.js"), "ETag"));
    assertThat(minified.body().length).isLessThan(resource(FIXTURE).length);
    checkWithNode(dir, minified.body());
  }

  @Test
  void theDeclarationsAreServedAsText() throws Exception {
    start();

    HttpResponse<byte[]> types = send("/socket.io/socket.io.d.ts");

    assertThat(types.statusCode()).isEqualTo(200);
    assertThat(contentType(types)).isEqualTo("text/plain;charset=utf-8");
    assertThat(types.body()).isEqualTo(resource(ClientScript.TYPES));
  }

  @Test
  void theFilesFollowACustomPath() throws Exception {
    start(WebSocketTransportConfig.builder().path("/chat/").build(), FIXTURE);

    assertThat(send("/chat/socket.io.js").body()).isEqualTo(resource(FIXTURE));
    assertThat(send("/chat/socket.io.min.js").statusCode()).isEqualTo(200);
    assertThat(send("/socket.io/socket.io.js").statusCode()).isEqualTo(404);
  }

  @Test
  void aScriptMissingFromTheClassPathIs404() throws Exception {
    start(WebSocketTransportConfig.defaults(), "META-INF/parley-test/missing.js");

    assertThat(send("/socket.io/socket.io.js").statusCode()).isEqualTo(404);
    assertThat(send("/socket.io/socket.io.min.js").statusCode()).isEqualTo(404);
    assertThat(send("/socket.io/socket.io.d.ts").statusCode()).isEqualTo(200);
  }

  // The real script must minify (else socket.io.min.js would be the whole script) and stay valid JavaScript.
  @Test
  void theShippedScriptMinifiesToValidJavaScript(@TempDir Path dir) throws Exception {
    assertThat(getClass().getResource("/" + ClientScript.SCRIPT)).as("the client script ships in the jar").isNotNull();
    start(WebSocketTransportConfig.defaults(), ClientScript.SCRIPT);

    byte[] script = send("/socket.io/socket.io.js").body();
    byte[] minified = send("/socket.io/socket.io.min.js").body();
    byte[] gzip = send("/socket.io/socket.io.min.js", "Accept-Encoding", "gzip").body();

    assertThat(minified.length).isLessThan(script.length);
    checkWithNode(dir, minified);
    System.out.printf("socket.io.js: %d bytes, socket.io.min.js %d, gzipped %d%n", script.length, minified.length,
        gzip.length);
  }

  private static void checkWithNode(Path dir, byte[] script) throws Exception {
    Files.write(dir.resolve("script.js"), script);
    NodeRun.Result check = NodeRun.run(dir, "--check", "script.js");
    assertThat(check.exit()).as(check.output()).isZero();
  }
}
