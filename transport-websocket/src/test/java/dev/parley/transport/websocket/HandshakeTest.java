package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The upgrade response itself, read off a plain TCP socket. */
class HandshakeTest {
  private ChatServer server;

  @BeforeEach
  void start() {
    server = SocketIoTestApp.start(WebSocketTransportConfig.defaults(), b -> { });
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void permessageDeflateIsDeclinedSoABroadcastIsNotCompressedPerConnection() throws IOException {
    int port = server.address().orElseThrow().getPort();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
          + "Host: 127.0.0.1:" + port + "\r\n"
          + "Upgrade: websocket\r\n"
          + "Connection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
          + "\r\n").getBytes(StandardCharsets.US_ASCII));

      String head = readHead(socket.getInputStream());

      assertThat(head).startsWith("HTTP/1.1 101");
      assertThat(head.toLowerCase(java.util.Locale.ROOT)).contains("sec-websocket-accept:")
          .doesNotContain("sec-websocket-extensions");
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int next = in.read();
      if (next < 0) {
        break;
      }
      head.write(next);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
