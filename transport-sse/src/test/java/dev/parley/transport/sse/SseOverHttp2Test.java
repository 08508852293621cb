package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.host.jetty.JettyHost;
import dev.parley.host.jetty.JettyHostConfig;
import dev.parley.host.jetty.Tls;
import dev.parley.testsupport.RawSocket;
import dev.parley.testsupport.TestCertificates;
import dev.parley.testsupport.Timeouts;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over HTTPS with HTTP/2, a client's SSE streams and their posts share one TCP connection (a browser's six
 * HTTP/1.1 connections per server no longer cap its tabs), and a WebSocket on the same port beside them uses
 * HTTP/1.1.
 */
class SseOverHttp2Test {
  private static final int STREAMS = 20;

  @TempDir
  Path dir;

  /** Per request path kind ("GET /sse", "POST /sse", "GET /socket.io"): the connections and protocols seen. */
  private final Map<String, Set<String>> connections = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> protocols = new ConcurrentHashMap<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private @Nullable ChatServer server;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** Notes each request's connection and protocol, and lets it through to the transports. */
  private final Handler.Abstract recorder = new Handler.Abstract() {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = request.getHttpURI().getPath();
      String kind = request.getMethod() + " " + (path.startsWith("/sse") ? "/sse" : "/socket.io");
      connections.computeIfAbsent(kind, k -> ConcurrentHashMap.newKeySet())
          .add(request.getConnectionMetaData().getId());
      protocols.computeIfAbsent(kind, k -> ConcurrentHashMap.newKeySet())
          .add(request.getConnectionMetaData().getProtocol());
      return false;
    }
  };

  @Test
  void twentyStreamsAndTheirPostsShareOneConnectionAndAWebSocketUsesHttp11() throws Exception {
    TestCertificates certificates = TestCertificates.create(dir, "EC");
    server = SseTestApp.start(SseTransportConfig.defaults(), b -> b
        .transport(new WebSocketTransport(WebSocketTransportConfig.defaults()))
        .host(new JettyHost(JettyHostConfig.builder()
            .tls(Tls.pem(certificates.certificate(), certificates.key()))
            .handler(recorder)
            .build())));
    String base = "https://127.0.0.1:" + server.address().orElseThrow().getPort();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
        .sslContext(certificates.trustingContext()).connectTimeout(Timeouts.STEP).build();

    List<SseTestClient> streams = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      SseTestClient stream = SseTestClient.open(http, URI.create(base + "/sse/lobby"));
      toClose.add(stream);
      streams.add(stream);
    }
    for (SseTestClient stream : streams) {
      HttpResponse<String> echoed = stream.emit("echo", stream.channelId());
      assertThat(echoed.statusCode()).as(echoed.body()).isEqualTo(200);
      assertThat(echoed.body()).contains(stream.channelId());
    }
    // A refusal that closes an HTTP/1.1 connection ends only its own stream on HTTP/2: the others go on.
    HttpResponse<String> tooLarge = streams.get(1).post(SseTestClient.body("echo", false, "x".repeat(70_000)));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    HttpResponse<String> posted = streams.get(0).emitAwaitingAck("chat", Map.of("text", "over h2"));
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
    // The room's other members get it (the sender has its ack).
    for (SseTestClient stream : streams.subList(1, STREAMS)) {
      assertThat(stream.next("chat").data()).isEqualTo("{\"text\":\"over h2\"}");
    }

    HttpClient webSocketClient = HttpClient.newBuilder().sslContext(certificates.trustingContext())
        .connectTimeout(Timeouts.STEP).build();
    RawSocket socket = RawSocket.open(webSocketClient,
        URI.create(base.replace("https://", "wss://") + "/socket.io/?EIO=4&transport=websocket"), true);
    toClose.add(socket);
    assertThat(socket.next()).startsWith("0{\"sid\":");

    assertThat(protocols.get("GET /sse")).containsExactly("HTTP/2.0");
    assertThat(protocols.get("POST /sse")).containsExactly("HTTP/2.0");
    assertThat(connections.get("GET /sse")).as("every stream on one connection").hasSize(1);
    assertThat(connections.get("POST /sse")).as("the posts on the streams' connection")
        .isEqualTo(connections.get("GET /sse"));
    assertThat(protocols.get("GET /socket.io")).containsExactly("HTTP/1.1");
  }
}
