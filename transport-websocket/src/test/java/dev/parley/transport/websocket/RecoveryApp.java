package dev.parley.transport.websocket;

import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.Message;
import dev.parley.Replay;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.spi.Store;
import dev.parley.testsupport.Timeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The application the connection state recovery tests run: every channel joins {@code lobby} with the
 * last 50 messages (a no-op for a recovered one, which is in it already) and counts its connections in
 * {@code data()}; events join more rooms, note things in {@code data()}, post, shout, and report the
 * channel as the server sees it. Middleware refuses users in {@link #REVOKED}.
 */
final class RecoveryApp {
  /** Users the middleware refuses from now on. */
  static final Set<String> REVOKED = ConcurrentHashMap.newKeySet();

  private RecoveryApp() {
  }

  /** A server on 127.0.0.1, any port, with pings every 300 ms (so a dead connection is noticed fast). */
  static ChatServer start(Store store, Consumer<ChatServerConfig.Builder> config) {
    WebSocketTransportConfig websocket = WebSocketTransportConfig.builder()
        .pingInterval(Duration.ofMillis(300)).pingTimeout(Duration.ofMillis(300)).build();
    return ChatServer.builder()
        .transport(new WebSocketTransport(websocket))
        .store(store)
        .config(c -> {
          c.bindAddress("127.0.0.1").port(0).shutdownTimeout(Duration.ofSeconds(5));
          config.accept(c);
        })
        .use(handshake -> {
          if (REVOKED.contains(handshake.auth().path("user").asString(""))) {
            throw new ConnectionRejectedException("revoked");
          }
          return handshake;
        })
        .onConnection(channel -> {
          channel.join("lobby", Replay.last(50));
          channel.data().merge("connections", 1, (a, b) -> ((Number) a).intValue() + 1);
          channel.on("join", (ch, event) -> ch.join(event.arg(0, String.class))
              .subscribe(null, error -> { }, () -> event.ack(true)));
          channel.on("note", (ch, event) -> {
            ch.data().put(event.arg(0, String.class), event.arg(1));
            event.ack(true);
          });
          channel.on("unsavable", (ch, event) -> {
            ch.data().put("lock", new Unsavable());
            event.ack(true);
          });
          channel.on("say", (ch, event) -> ch.post("lobby", "chat", event.arg(0)).subscribe(m -> event.ack(m.id())));
          channel.on("shout", (ch, event) -> ch.namespace().to("lobby").emit("shout", event.arg(0)));
          channel.on("whoami", (ch, event) -> event.ack(Map.of("id", ch.id(), "recovered", ch.recovered(),
              "rooms", new TreeSet<>(ch.rooms()), "data", Map.copyOf(ch.data()), "auth", ch.handshake().auth())));
        })
        .start();
  }

  /** A value Jackson cannot write: its one property throws. */
  static final class Unsavable {
    public String getState() {
      throw new IllegalStateException("not serialisable");
    }
  }

  static int port(ChatServer server) {
    return server.address().orElseThrow().getPort();
  }

  /** Posts {@code count} messages, alternating between the rooms; returns their ids per room, in order. */
  /**
   * Posts a "marker" to the lobby and asserts that socket {@code name} of {@code node} gets it next: every
   * member of the lobby has then been sent everything posted before, and nothing else.
   */
  static void assertMarkerNext(ChatServer server, NodeDriver node, String name) throws InterruptedException {
    server.room("lobby").post("marker", Map.of()).block(Timeouts.STEP);
    node.assertNextEvent(name, "marker");
  }

  static Map<String, List<String>> post(ChatServer server, int count, String... rooms) {
    Map<String, List<String>> ids = new java.util.LinkedHashMap<>();
    for (String room : rooms) {
      ids.put(room, new ArrayList<>());
    }
    for (int i = 0; i < count; i++) {
      String room = rooms[i % rooms.length];
      Message message = server.room(room).post("chat", Map.of("n", i, "room", room)).block(Timeouts.STEP);
      ids.get(room).add(message.id());
    }
    return ids;
  }
}
