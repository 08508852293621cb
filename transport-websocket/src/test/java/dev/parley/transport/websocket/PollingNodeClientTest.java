package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.testsupport.Timeouts;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The official socket.io-client 4.8 under Node over HTTP long-polling, and with its defaults (polling, then the
 * upgrade to WebSocket), and with the upgrade turned off: scenario.mjs (connect, acks both ways, a room broadcast,
 * binary, a second namespace, middleware refusal, a server disconnect, connection state recovery after a cut
 * transport), with the heartbeat
 * short enough that pings and pongs cross the long-polls while it runs, and that a session whose close packet the
 * scenario's exit cut short ends by pingTimeout within the wait for an idle server.
 */
class PollingNodeClientTest {
  private static final WebSocketTransportConfig FAST_HEARTBEAT = WebSocketTransportConfig.builder()
      .pingInterval(Duration.ofMillis(300)).pingTimeout(Duration.ofSeconds(2)).build();

  @Test
  void pollingOnlyClientRunsTheWholeScenario() throws Exception {
    try (ChatServer server = SocketIoTestApp.start(FAST_HEARTBEAT, b -> { })) {
      String output = WebSocketNodeClientTest.scenario(SocketIoTestApp.url(server), "{\"transports\":[\"polling\"]}");
      assertThat(output).contains("ok recovery over polling", "ok transport polling");
      await().atMost(Timeouts.STEP).until(() -> server.stats().isIdle());
    }
  }

  @Test
  void clientWithTheUpgradeTurnedOffStaysOnPolling() throws Exception {
    try (ChatServer server = SocketIoTestApp.start(FAST_HEARTBEAT, b -> { })) {
      String output = WebSocketNodeClientTest.scenario(SocketIoTestApp.url(server), "{\"upgrade\":false}");
      assertThat(output).contains("ok recovery over polling", "ok transport polling");
      await().atMost(Timeouts.STEP).until(() -> server.stats().isIdle());
    }
  }

  @Test
  void clientWithItsDefaultOptionsUpgradesToWebSocket() throws Exception {
    try (ChatServer server = SocketIoTestApp.start(FAST_HEARTBEAT, b -> { })) {
      String output = WebSocketNodeClientTest.scenario(SocketIoTestApp.url(server), "{}");
      // scenario.mjs prints socket.io.engine.transport.name once the first socket has run its steps.
      assertThat(output).contains("ok transport websocket");
      await().atMost(Timeouts.STEP).until(() -> server.stats().isIdle());
    }
  }
}
