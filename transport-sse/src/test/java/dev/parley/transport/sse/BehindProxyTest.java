package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.host.jetty.JettyHost;
import dev.parley.host.jetty.JettyHostConfig;
import dev.parley.testsupport.RawSocket;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Behind a reverse proxy (here the test itself, on 127.0.0.1): the proxy's forwarding headers decide the
 * handshake's address, the per-address limit and the same-origin check when the proxy is trusted, and change
 * nothing when it is not (a client cannot spoof them).
 */
class BehindProxyTest {
  private static final String SITE = "https://chat.example";

  private final HttpClient http = SseTestClient.newHttpClient();
  private final BlockingQueue<String> addresses = new LinkedBlockingQueue<>();
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

  /**
   * A server allowing one connection per client address. The host's own TCP limit per address stays at its
   * default (twice that: two) unless {@code hostLimit} is given: a trusted proxy is not held to it, so the
   * trusted case opens more connections than that from 127.0.0.1; the untrusted cases raise it, so that a
   * refused request's connection, closed by the server a moment after its 429, cannot take a place at accept.
   */
  private void start(int hostLimit, String... trustedProxies) {
    server = SseTestApp.start(SseTransportConfig.defaults(), b -> b
        .transport(new WebSocketTransport(WebSocketTransportConfig.defaults()))
        .host(new JettyHost(JettyHostConfig.builder().trustedProxies(trustedProxies)
            .maxConnectionsPerAddress(hostLimit).build()))
        .config(c -> c.maxConnectionsPerAddress(1))
        .onConnection(channel -> addresses.add(channel.handshake().remoteAddress())));
  }

  /** Opens a stream with these headers; its status (the stream, left unread, is closed with the test). */
  private int stream(String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(SseTestApp.stream(server, "lobby"))
        .header("Accept", "text/event-stream").timeout(SseTestClient.TIMEOUT);
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    toClose.add(response.body());
    return response.statusCode();
  }

  private String nextAddress() throws InterruptedException {
    String address = addresses.poll(SseTestClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(address).as("a channel connected").isNotNull();
    return address;
  }

  @Test
  void aTrustedProxyNamesEachClientForTheHandshakeTheLimitAndTheOrigin() throws Exception {
    start(JettyHostConfig.PER_ADDRESS_FROM_SERVER, "127.0.0.1");

    assertThat(stream("X-Forwarded-For", "203.0.113.1")).isEqualTo(200);
    assertThat(nextAddress()).startsWith("203.0.113.1:");
    // Another client behind the same proxy has a place of its own, though the limit is one per address.
    assertThat(stream("X-Forwarded-For", "203.0.113.2")).isEqualTo(200);
    assertThat(nextAddress()).startsWith("203.0.113.2:");
    // The first client again: its one place is taken.
    assertThat(stream("X-Forwarded-For", "203.0.113.1")).isEqualTo(429);

    // The page at https://chat.example reaches the server over http through the proxy: the same origin.
    assertThat(stream("X-Forwarded-For", "203.0.113.3", "Origin", SITE, "X-Forwarded-Proto", "https",
        "X-Forwarded-Host", "chat.example")).isEqualTo(200);
    assertThat(nextAddress()).startsWith("203.0.113.3:");
    assertThat(stream("X-Forwarded-For", "203.0.113.4", "Origin", SITE))
        .as("without the proxy's word, the request is http on 127.0.0.1: another origin").isEqualTo(403);

    // A WebSocket through the proxy too.
    RawSocket socket = RawSocket.open(HttpClient.newHttpClient(), URI.create(SseTestApp.url(server)
        .replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"), true,
        "X-Forwarded-For", "198.51.100.7");
    toClose.add(socket);
    assertThat(socket.next()).startsWith("0{");
    socket.send("40");
    assertThat(socket.next()).startsWith("40{");
    assertThat(nextAddress()).startsWith("198.51.100.7:");
  }

  @Test
  void fromAnUntrustedPeerForwardingHeadersAreIgnored() throws Exception {
    start(100, "10.0.0.0/8");

    assertThat(stream("X-Forwarded-For", "203.0.113.1")).isEqualTo(200);
    assertThat(nextAddress()).startsWith("127.0.0.1:");
    // Spoofing another address does not buy another place...
    assertThat(stream("X-Forwarded-For", "203.0.113.2")).isEqualTo(429);
    assertThat(stream("Forwarded", "for=203.0.113.3")).isEqualTo(429);
  }

  @Test
  void fromAnUntrustedPeerASpoofedSchemeAndHostDoNotMakeAnotherSiteTheSameOrigin() throws Exception {
    start(100);
    assertThat(stream("Origin", SITE, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "chat.example",
        "Forwarded", "proto=https;host=chat.example")).isEqualTo(403);
  }
}
