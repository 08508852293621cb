package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.testsupport.RawSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which upgrade serves a fresh WebSocket inside the embedded Jetty host: Jetty's core WebSocket API by default,
 * the portable Jakarta endpoint with {@code parley.websocket.portable=true}. Told apart by the endpoint that logs
 * the closing of a socket whose message is over {@code maxPayload}; and a message in fragments is assembled.
 */
class UpgradePathTest {
  private static final String PORTABLE = "parley.websocket.portable";
  private static final String CORE = "dev.parley.transport.websocket.internal.CoreEndpoint";
  private static final String JAKARTA = "dev.parley.transport.websocket.internal.EngineIoEndpoint";
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
