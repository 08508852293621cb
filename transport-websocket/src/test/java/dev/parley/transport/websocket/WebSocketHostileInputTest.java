package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.testsupport.RawSocket;
import dev.parley.testsupport.Timeouts;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Attacks through the Socket.IO wire, each with the answer the README's "Hostile input" table gives. The
 * client is a bare WebSocket, so it can send what no Socket.IO client library would.
 */
class WebSocketHostileInputTest {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Duration WAIT = Timeouts.STEP;

  private ChatServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private String start(java.util.function.Consumer<ChatServer.Builder> extra) {
    server = SocketIoTestApp.start(WebSocketTransportConfig.defaults(), extra);
    return SocketIoTestApp.url(server);
  }

  private static RawSocket connected(String url) throws InterruptedException {
    RawSocket raw = RawSocket.open(url);
    assertThat(raw.next()).startsWith("0{\"sid\":");
    raw.send("40");
    assertThat(raw.next()).startsWith("40{\"sid\":");
    return raw;
  }

  /** A Socket.IO EVENT text frame with properly JSON-escaped arguments. */
  private static String event(String prefix, Object... nameAndArgs) {
    return "42" + prefix + MAPPER.writeValueAsString(List.of(nameAndArgs));
  }

  @Test
  void reservedEventNamesFromAClientAreDroppedAndTheConnectionStays() throws Exception {
    String url = start(b -> { });
    RawSocket raw = connected(url);
    for (String reserved : List.of("connect", "connect_error", "disconnect", "disconnecting", "newListener",
        "removeListener")) {
      raw.send("42" + 7 + MAPPER.writeValueAsString(List.of(reserved, "x")));
    }
    // Nothing answers the reserved ones (not even their ack id 7): the next frame is the echo's ack.
    raw.send("428[\"echo\",\"after\"]");
    assertThat(raw.next()).isEqualTo("438[\"after\"]");
    assertThat(raw.isClosed()).isFalse();
    assertThat(server.namespace().channels()).hasSize(1);
  }

  @Test
  void namespaceThatMiddlewareForbidsGetsConnectErrorAndItsEventsGoNowhere() throws Exception {
    AtomicInteger vaultConnections = new AtomicInteger();
    Set<String> vaultEvents = ConcurrentHashMap.newKeySet();
    String url = start(b -> b.namespace("/vault", ns -> ns
        .use(handshake -> {
          throw new ConnectionRejectedException("forbidden");
        })
        .onConnection(channel -> {
          vaultConnections.incrementAndGet();
          channel.on("open", (ch, e) -> vaultEvents.add("open"));
        })));
    RawSocket raw = connected(url);
    raw.send("40/vault,{\"token\":\"guess\"}");
    assertThat(raw.next()).isEqualTo("44/vault,{\"message\":\"forbidden\"}");
    // Acting as if the join had worked: dropped, and the connection to "/" carries on.
    raw.send("42/vault,1[\"open\",\"sesame\"]");
    raw.send("422[\"echo\",\"still in /\"]");
    assertThat(raw.next()).isEqualTo("432[\"still in /\"]");
    assertThat(server.namespace("/vault").channels()).isEmpty();
    assertThat(vaultConnections).hasValue(0);
    assertThat(vaultEvents).isEmpty();
  }

  @Test
  void roomTheHandlerRefusesIsNeverJoined() throws Exception {
    // Clients have no packet to join a room: only a handler's channel.join does, after its own check.
    String url = start(b -> b.onConnection(channel -> channel.on("join", (ch, event) -> {
      String room = event.arg(0, String.class);
      if (room.startsWith("public-")) {
        ch.join(room);
      }
      event.ack(ch.rooms().contains(room));
    })));
    RawSocket raw = connected(url);
    raw.send("421[\"join\",\"staff-only\"]");
    assertThat(raw.next()).isEqualTo("431[false]");
    server.to("staff-only").emit("secret", "payroll");
    raw.send("422[\"echo\",\"next\"]");
    assertThat(raw.next()).as("the room's emit never arrives").isEqualTo("432[\"next\"]");
    assertThat(server.namespace().channels()).allSatisfy(ch -> assertThat(ch.rooms()).doesNotContain("staff-only"));
  }

  @Test
  void logInjectionThroughEventNamesAndNamespacesIsEscaped() throws Exception {
    String url = start(b -> { });
    String forged = "\n2099-01-01 [main] ERROR dev.parley - forged";
    try (RecordingLog log = RecordingLog.debug("dev.parley.internal.DefaultSession",
        "dev.parley.internal.DefaultChannel", "dev.parley.transport.websocket.internal.EngineIoPackets")) {
      RawSocket raw = connected(url);
      raw.send(event("", "chat\r" + forged + "\u001b[31m"));           // control characters: an invalid name
      raw.send(event("", "chat\u2028forged\u202etxt.exe"));             // valid name, no handler
      raw.send(event("/x" + forged + ",", "chat"));                     // a namespace it has not joined
      raw.send("421[\"echo\",\"sync\"]");
      assertThat(raw.next()).isEqualTo("431[\"sync\"]");
      RawSocket closing = connected(url);
      closing.send("\u001b[2J" + forged);                               // not an Engine.IO packet type
      assertThat(closing.closeCode(10)).isEqualTo(1002);

      await().atMost(WAIT).untilAsserted(() -> assertThat(log.text())
          .contains("invalid event name \"chat\\r\\n2099-01-01 [main] ERROR dev.parley - forged\\u001b[31m\"")
          .contains("no handler for \"chat\\u2028forged\\u202etxt.exe\"")
          .contains("it has not joined")
          .contains("unknown Engine.IO packet type \\u001b"));
      String text = log.text();
      assertThat(text).doesNotContain("\u001b", "\r", "\u2028", "\u202e");
      assertThat(text.lines()).noneMatch(line -> line.startsWith("2099-01-01"));
    }
  }
}
