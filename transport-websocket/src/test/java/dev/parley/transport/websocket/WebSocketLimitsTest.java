package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.testsupport.RawSocket;
import dev.parley.testsupport.Timeouts;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The limits a WebSocket meets before it has a channel, on the real host: the connect timeout for sockets
 * that join no namespace, and the connections one remote address may hold.
 */
class WebSocketLimitsTest {
  private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length:\\s*(\\d+)");
  private ChatServer server;
  private String url;

  private void start(Consumer<ChatServerConfig.Builder> config) {
    server = SocketIoTestApp.start(WebSocketTransportConfig.defaults(), b -> b.config(config));
    url = SocketIoTestApp.url(server);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void socketThatJoinsNoNamespaceIsClosedAfterTheConnectTimeout() throws Exception {
    start(c -> c.connectTimeout(Duration.ofMillis(300)));
    RawSocket joined = connected();
    RawSocket silent = RawSocket.open(url);
    assertThat(silent.next()).startsWith("0{\"sid\":");
    RawSocket refused = RawSocket.open(url);
    assertThat(refused.next()).startsWith("0{\"sid\":");
    refused.send("40{\"token\":\"bad\"}");
    assertThat(refused.next()).startsWith("44{\"message\":\"not authorized\"");

    // Never sending CONNECT, or only one that middleware refused, is the same: no namespace joined.
    assertThat(silent.closeCode(10)).isEqualTo(1000);
    assertThat(refused.closeCode(10)).isEqualTo(1000);

    joined.send("421[\"echo\",\"still here\"]");
    assertThat(joined.next()).isEqualTo("431[\"still here\"]");
    assertThat(joined.isClosed()).isFalse();
  }

  @Test
  void connectionsPerAddressAreLimitedAndEveryWayOfClosingFreesThePlace() throws Exception {
    start(c -> c.maxConnectionsPerAddress(2).connectTimeout(Duration.ofMillis(500)));
    RawSocket first = connected();
    RawSocket silent = RawSocket.open(url);
    assertRefused();

    // The server closes a socket that joined no namespace.
    assertThat(silent.closeCode(10)).isEqualTo(1000);
    RawSocket second = awaitAdmitted();
    assertRefused();

    // The server closes a socket for a protocol violation.
    second.send("9");
    assertThat(second.closeCode(10)).isEqualTo(1002);
    RawSocket third = awaitAdmitted();
    assertRefused();

    // The client closes normally.
    third.close();
    RawSocket fourth = awaitAdmitted();
    assertRefused();

    // The client drops the TCP connection without a close frame.
    fourth.abort();
    awaitAdmitted();
    assertRefused();

    // The connection that held its place all along still works.
    first.send("421[\"echo\",1]");
    assertThat(first.next()).isEqualTo("431[1]");
  }

  private RawSocket connected() throws InterruptedException {
    RawSocket raw = RawSocket.open(url);
    assertThat(raw.next()).startsWith("0{\"sid\":");
    raw.send("40");
    assertThat(raw.next()).startsWith("40{\"sid\":");
    return raw;
  }

  /** A new socket once a place is free: the place comes back when the server sees the close. */
  private RawSocket awaitAdmitted() {
    AtomicReference<RawSocket> admitted = new AtomicReference<>();
    await().atMost(Timeouts.STEP).pollInterval(Duration.ofMillis(50)).until(() -> {
      try {
        admitted.set(RawSocket.open(url));
        return true;
      } catch (CompletionException e) {
        assertThat(e.getCause()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
        return false;
      }
    });
    return admitted.get();
  }

  /** An upgrade request is answered 429 with Engine.IO's JSON error, before any upgrade. */
  private void assertRefused() throws IOException {
    URI uri = URI.create(url);
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      String request = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
          + "Host: 127.0.0.1:" + uri.getPort() + "\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      String response = readResponse(socket.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 429 ");
      assertThat(response.toLowerCase(Locale.ROOT)).contains("content-type: application/json");
      assertThat(response).endsWith("\r\n\r\n{\"code\":4,\"message\":\"Too many connections\"}");
    }
  }

  /** One HTTP response, headers and body (by its Content-Length), read byte by byte: it is small. */
  private static String readResponse(InputStream raw) throws IOException {
    InputStream in = new BufferedInputStream(raw);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0; b = in.read()) {
      bytes.write(b);
      String text = bytes.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        Matcher length = CONTENT_LENGTH.matcher(text.substring(0, end));
        if (text.length() >= end + 4 + (length.find() ? Integer.parseInt(length.group(1)) : 0)) {
          return text;
        }
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
