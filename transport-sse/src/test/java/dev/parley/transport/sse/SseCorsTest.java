package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which browser origins may open streams and post: the same origin by default, or an allow-list with credentials. */
class SseCorsTest {
  private static final String APP = "http://app.example";
  private static final String EVIL = "http://evil.example";

  private final HttpClient http = SseTestClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private ChatServer start(SseTransportConfig config) {
    ChatServer server = SseTestApp.start(config);
    toClose.add(server);
    return server;
  }

  private SseTestClient open(ChatServer server, String... headers) throws Exception {
    SseTestClient client = SseTestClient.open(http, SseTestApp.stream(server, "cors"), headers);
    toClose.add(client);
    return client;
  }

  private HttpResponse<String> stream(ChatServer server, String origin) throws Exception {
    return http.send(HttpRequest.newBuilder(SseTestApp.stream(server, "cors")).header("Accept", "text/event-stream")
        .header("Origin", origin).timeout(SseTestClient.TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(SseTestClient client, String origin) throws Exception {
    return client.send(client.postRequest(SseTestClient.body("echo", false, "hi")).header("Origin", origin));
  }

  private static List<String> list(HttpHeaders headers, String name) {
    return headers.allValues(name).stream().flatMap(v -> Arrays.stream(v.split(","))).map(String::trim)
        .map(v -> v.toLowerCase(Locale.ROOT)).toList();
  }

  @Test
  void byDefaultOnlyTheSameOriginMayStreamOrPost() throws Exception {
    ChatServer server = start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build());
    HttpResponse<String> crossStream = stream(server, EVIL);
    assertThat(crossStream.statusCode()).isEqualTo(403);
    assertThat(SseTestClient.MAPPER.readTree(crossStream.body()).path("error").asString()).contains("origin");
    assertThat(crossStream.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    SseTestClient client = open(server);
    client.sync();
    HttpResponse<String> crossPost = post(client, EVIL);
    assertThat(crossPost.statusCode()).isEqualTo(403);
    assertThat(crossPost.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    // The page served by the server itself is welcome.
    String self = SseTestApp.url(server);
    SseTestClient sameOrigin = open(server, "Origin", self);
    assertThat(sameOrigin.response().headers().firstValue("Access-Control-Allow-Origin")).hasValue(self);
    assertThat(post(sameOrigin, self).statusCode()).isEqualTo(200);

    HttpResponse<String> preflight = preflight(server, EVIL);
    assertThat(preflight.statusCode()).isEqualTo(403);
    assertThat(client.pending()).as("nothing a forbidden origin sent got through").isZero();
  }

  @Test
  void theSameHostOverAnotherSchemeIsAnotherOrigin() throws Exception {
    ChatServer server = start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build());
    String self = SseTestApp.url(server);
    String otherScheme = self.replace("http://", "https://");
    SseTestClient client = open(server);
    client.sync();

    // A page served over https posting to, or streaming from, the same host and port over http.
    HttpResponse<String> crossStream = stream(server, otherScheme);
    assertThat(crossStream.statusCode()).isEqualTo(403);
    assertThat(crossStream.body()).isEqualTo("{\"error\":\"forbidden origin\"}");
    assertThat(crossStream.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    assertThat(post(client, otherScheme).statusCode()).isEqualTo(403);
    assertThat(preflight(server, otherScheme).statusCode()).isEqualTo(403);

    // The same scheme, host and port: allowed, in any case.
    SseTestClient sameOrigin = open(server, "Origin", self);
    assertThat(sameOrigin.response().headers().firstValue("Access-Control-Allow-Origin")).hasValue(self);
    assertThat(post(client, self).statusCode()).isEqualTo(200);
    assertThat(post(client, self.toUpperCase(Locale.ROOT)).statusCode()).isEqualTo(200);
    assertThat(client.pending()).as("nothing the other scheme sent got through").isZero();
  }

  @Test
  void allowedOriginGetsPreflightAndCredentialedCorsHeaders() throws Exception {
    ChatServer server = start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1))
        .allowedOrigins(List.of(APP)).build());

    HttpResponse<String> preflight = preflight(server, APP);
    assertThat(preflight.statusCode()).isEqualTo(204);
    HttpHeaders headers = preflight.headers();
    assertThat(headers.firstValue("Access-Control-Allow-Origin")).hasValue(APP);
    assertThat(headers.firstValue("Access-Control-Allow-Credentials")).hasValue("true");
    assertThat(list(headers, "Access-Control-Allow-Methods")).contains("get", "post");
    assertThat(list(headers, "Access-Control-Allow-Headers"))
        .contains("content-type", "x-parley-token", "last-event-id");
    assertThat(list(headers, "Vary")).contains("origin");

    SseTestClient client = open(server, "Origin", APP);
    assertThat(client.response().headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
    assertThat(client.response().headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
    HttpResponse<String> posted = post(client, APP);
    assertThat(posted.statusCode()).isEqualTo(200);
    assertThat(posted.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
    assertThat(posted.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
    assertThat(posted.body()).isEqualTo("[\"hi\"]");

    // An error answer carries the CORS headers too, so the page can read it.
    HttpResponse<String> wrongToken = client.send(client.postRequest("{}").header("Origin", APP)
        .setHeader("X-Parley-Token", "forged"));
    assertThat(wrongToken.statusCode()).isEqualTo(403);
    assertThat(wrongToken.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);

    // Anyone else is still refused, including the server's own origin, which is not on the list.
    assertThat(stream(server, EVIL).statusCode()).isEqualTo(403);
    assertThat(post(client, EVIL).statusCode()).isEqualTo(403);
    assertThat(preflight(server, EVIL).statusCode()).isEqualTo(403);
    assertThat(stream(server, SseTestApp.url(server)).statusCode()).isEqualTo(403);
  }

  @Test
  void wildcardAllowsAnyOriginButNeverWithCredentials() throws Exception {
    ChatServer server = start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1))
        .allowedOrigins(List.of("*", APP)).build());
    SseTestClient client = open(server, "Origin", EVIL);
    // Any site may read the stream, as a public resource: the browser sends it no cookies.
    HttpHeaders headers = client.response().headers();
    assertThat(headers.firstValue("Access-Control-Allow-Origin")).hasValue("*");
    assertThat(headers.firstValue("Access-Control-Allow-Credentials")).isEmpty();
    HttpResponse<String> posted = post(client, EVIL);
    assertThat(posted.statusCode()).isEqualTo(200);
    assertThat(posted.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    assertThat(preflight(server, EVIL).headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");

    // A listed origin keeps its credentials beside "*".
    HttpResponse<String> listed = post(client, APP);
    assertThat(listed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
    assertThat(listed.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
  }

  private HttpResponse<String> preflight(ChatServer server, String origin) throws Exception {
    return http.send(HttpRequest.newBuilder(SseTestApp.stream(server, "cors", "sid=x"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type, x-parley-token")
        .timeout(SseTestClient.TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
  }
}
