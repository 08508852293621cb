package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.host.jetty.JettyHost;
import dev.parley.host.jetty.JettyHostConfig;
import dev.parley.testsupport.RawSocket;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which upgrade serves a fresh WebSocket inside the embedded Jetty host: Jetty's core WebSocket API by default
 * (taken ahead of the Servlet context unless the application has servlet filters), the portable Jakarta endpoint
 * with {@code parley.websocket.portable=true}. Told apart by the endpoint that logs the closing of a socket whose
 * message is over {@code maxPayload} (a polling session by the log of its opening); and a message in fragments is
 * assembled.
 */
class UpgradePathTest {
  private static final String PORTABLE = "parley.websocket.portable";
  private static final String CORE = "dev.parley.transport.websocket.internal.CoreEndpoint";
  private static final String JAKARTA = "dev.parley.transport.websocket.internal.EngineIoEndpoint";
  private static final String POLLING = "dev.parley.transport.websocket.internal.Polling";
  private static final String POST_BODY = "dev.parley.transport.websocket.internal.PostBody";
  private ChatServer server;

  @AfterEach
  void stop() {
    System.clearProperty(PORTABLE);
    if (server != null) {
      server.close();
    }
  }

  private RawSocket connected() throws InterruptedException {
    server = SocketIoTestApp.start(WebSocketTransportConfig.builder().maxPayload(2048).build(), b -> { });
    RawSocket raw = RawSocket.open(SocketIoTestApp.url(server));
    assertThat(raw.next()).startsWith("0{\"sid\":");
    raw.send("40");
    assertThat(raw.next()).startsWith("40{\"sid\":");
    return raw;
  }

  @Test
  void insideJettyAFreshSocketIsServedOnTheCoreApi() throws Exception {
    try (RecordingLog log = RecordingLog.debug(CORE, JAKARTA)) {
      RawSocket raw = connected();
      raw.send("42[\"echo\",\"" + "x".repeat(4096) + "\"]");
      assertThat(raw.closeCode(10)).isEqualTo(1009);
      server.close();
      assertThat(log.text()).contains("CoreEndpoint").doesNotContain("EngineIoEndpoint");
    }
  }

  @Test
  void thePortablePropertyServesItThroughJakarta() throws Exception {
    System.setProperty(PORTABLE, "true");
    try (RecordingLog log = RecordingLog.debug(CORE, JAKARTA)) {
      RawSocket raw = connected();
      raw.send("42[\"echo\",\"" + "x".repeat(4096) + "\"]");
      assertThat(raw.closeCode(10)).isEqualTo(1009);
      server.close();
      assertThat(log.text()).contains("EngineIoEndpoint").doesNotContain("CoreEndpoint");
    }
  }

  @Test
  void insideJettyAPollingSessionIsOpenedOnTheCoreApi() throws Exception {
    try (RecordingLog log = RecordingLog.debug(POLLING, POST_BODY)) {
      assertThat(pollingSessionEcho()).isEqualTo("433[\"pong\"]");
      assertThat(log.text()).contains("opened on Jetty's core API").doesNotContain("opened on the Servlet API")
          .contains("read on Jetty's core API").doesNotContain("read on the Servlet API");
    }
  }

  @Test
  void thePortablePropertyOpensAPollingSessionOnTheServlet() throws Exception {
    System.setProperty(PORTABLE, "true");
    try (RecordingLog log = RecordingLog.debug(POLLING, POST_BODY)) {
      assertThat(pollingSessionEcho()).isEqualTo("433[\"pong\"]");
      assertThat(log.text()).contains("opened on the Servlet API").doesNotContain("opened on Jetty's core API")
          .contains("read on the Servlet API").doesNotContain("read on Jetty's core API");
    }
  }

  @Test
  void theClientScriptStaysTheServletsWhateverItsQuery() throws Exception {
    server = SocketIoTestApp.start(WebSocketTransportConfig.defaults(), b -> { });
    HttpResponse<String> script = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(SocketIoTestApp.url(server) + "/socket.io/socket.io.js?EIO=4&transport=polling")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).contains("javascript"));
    assertThat(server.stats().sessions()).isZero();
  }

  // A polling session's handshake, CONNECT and an event with an ack (two POSTs); returns the ack.
  private String pollingSessionEcho() throws Exception {
    server = SocketIoTestApp.start(WebSocketTransportConfig.defaults(), b -> { });
    PollingClient client = new PollingClient(SocketIoTestApp.url(server));
    String sid = client.connected();
    assertThat(client.post(sid, "423[\"echo\",\"pong\"]").body()).isEqualTo("ok");
    return client.receive(sid, 1).get(0);
  }

  @Test
  void withoutFiltersAFreshUpgradeIsTakenAheadOfTheServletContext() throws Exception {
    WebSocketTransport transport = new WebSocketTransport(WebSocketTransportConfig.defaults());
    server = SocketIoTestApp.start(transport, b -> { });
    assertThat(transport.coreRequests()).isTrue();
    RawSocket raw = RawSocket.open(SocketIoTestApp.url(server));
    assertThat(raw.next()).startsWith("0{\"sid\":");
    raw.send("40");
    assertThat(raw.next()).startsWith("40{\"sid\":");
    raw.close();
  }

  @Test
  void anApplicationFilterSeesEveryUpgradeOnTheCoreApiThroughTheServlet() throws Exception {
    Queue<String> filtered = new ConcurrentLinkedQueue<>();
    Filter filter = (request, response, chain) -> {
      filtered.add(((HttpServletRequest) request).getQueryString());
      chain.doFilter(request, response);
    };
    WebSocketTransport transport = new WebSocketTransport(WebSocketTransportConfig.defaults());
    server = SocketIoTestApp.start(transport,
        b -> b.host(new JettyHost(JettyHostConfig.builder().filter("/*", filter).build())));
    assertThat(transport.coreRequests()).isFalse();
    RawSocket raw = RawSocket.open(SocketIoTestApp.url(server));
    assertThat(raw.next()).startsWith("0{\"sid\":");
    raw.close();
    assertThat(filtered).anySatisfy(query -> assertThat(query).contains("transport=websocket"));
  }

  @Test
  void aMessageInFragmentsIsAssembled() throws Exception {
    RawSocket raw = connected();
    raw.sendFragments("421[\"echo\",", "\"hel", "lo\"]");
    assertThat(raw.next()).isEqualTo("431[\"hello\"]");
  }

  @Test
  void fragmentsOverMaxPayloadTogetherClose1009() throws Exception {
    RawSocket raw = connected();
    raw.sendFragments("42[\"echo\",\"" + "x".repeat(1500), "x".repeat(1500) + "\"]");
    assertThat(raw.closeCode(10)).isEqualTo(1009);
  }
}
