package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.Message;
import dev.parley.store.memory.MemoryStore;
import dev.parley.store.memory.MemoryStoreConfig;
import dev.parley.testsupport.ManualClock;
import dev.parley.testsupport.TcpProxy;
import dev.parley.testsupport.Timeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Connection state recovery with the official socket.io-client 4.8 under Node, through a TCP proxy that
 * plays the network: the connection dies (the server closes it after a missed pong, or it is cut), the
 * host restarts, or the client comes back to another node; 100 messages are posted meanwhile.
 */
class ConnectionStateRecoveryTest {
  private final List<AutoCloseable> resources = new ArrayList<>();
  private MemoryStore store;
  private NodeDriver node;

  @BeforeEach
  void clean() {
    RecoveryApp.REVOKED.clear();
    store = new MemoryStore();
  }

  @AfterEach
  void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private ChatServer server(MemoryStore store) {
    return server(store, c -> { });
  }

  private ChatServer server(MemoryStore store, Consumer<ChatServerConfig.Builder> config) {
    ChatServer server = RecoveryApp.start(store, config);
    resources.add(server);
    return server;
  }

  private TcpProxy proxy(ChatServer server) throws Exception {
    TcpProxy proxy = new TcpProxy(RecoveryApp.port(server));
    resources.add(proxy);
    return proxy;
  }

  private NodeDriver driver(TcpProxy proxy) throws Exception {
    node = NodeDriver.start(proxy.url());
    resources.add(node);
    return node;
  }

  /** Connects socket {@code name}, joins it to {@code news} as well, and returns its id. */
  private String connect(String name) throws Exception {
    node.open(name, "/", auth(name));
    return joined(name);
  }

  /** Connects socket {@code name} straight to a server, not through the proxy. */
  private String connectDirectly(String name, ChatServer server) throws Exception {
    node.open(name, "http://127.0.0.1:" + RecoveryApp.port(server), "/", auth(name));
    return joined(name);
  }

  private static ObjectNode auth(String user) {
    return JsonNodeFactory.instance.objectNode().set("auth", JsonNodeFactory.instance.objectNode().put("user", user));
  }

  private String joined(String name) throws Exception {
    JsonNode connect = node.connected(name);
    assertThat(connect.path("recovered").asBoolean()).isFalse();
    assertThat(node.ack(name, "join", "news").asBoolean()).isTrue();
    return connect.path("id").asString();
  }

  /** Posts to the lobby and returns the id the socket received, with its payload. */
  private String receivedPost(ChatServer server, String name, int n) throws Exception {
    Message message = server.room("lobby").post("chat", Map.of("n", n)).block(Timeouts.STEP);
    JsonNode event = node.next(name, "event");
    assertThat(event.path("event").asString()).isEqualTo("chat");
    assertThat(event.path("args").path(0).path("n").asInt()).isEqualTo(n);
    assertThat(event.path("args").path(1).asString()).as("the offset is the message id").isEqualTo(message.id());
    assertThat(event.path("args").size()).isEqualTo(2);
    return message.id();
  }

  /** Reads the missed messages: every one once, each room's in order, and nothing else before a marker. */
  private void assertReplayed(ChatServer server, String name, Map<String, List<String>> posted) throws Exception {
    int total = posted.values().stream().mapToInt(List::size).sum();
    Map<String, List<String>> received = new java.util.LinkedHashMap<>();
    for (JsonNode event : node.events(name, total)) {
      JsonNode args = event.path("args");
      assertThat(args.size()).isEqualTo(2);
      received.computeIfAbsent(args.path(0).path("room").asString(), r -> new ArrayList<>())
          .add(args.path(1).asString());
    }
    assertThat(received).isEqualTo(posted);
    RecoveryApp.assertMarkerNext(server, node, name);
  }

  private static void awaitGone(ChatServer server, String id) {
    await().atMost(Timeouts.STEP).until(() -> server.namespace().channel(id).isEmpty());
  }

  @Test
  void recoversAfterTheServerClosesADeadConnection() throws Exception {
    ChatServer server = server(store);
    TcpProxy proxy = proxy(server);
    driver(proxy);
    String id = connect("a");
    receivedPost(server, "a", 1);
    assertThat(node.ack("a", "note", "colour", "green").asBoolean()).isTrue();
    assertThat(node.ack("a", "unsavable").asBoolean()).isTrue();

    proxy.refuse(true);
    proxy.silenceAll();
    // The server misses a pong and closes the socket; the client, hearing nothing, gives up on it too.
    awaitGone(server, id);
    Map<String, List<String>> missed = RecoveryApp.post(server, 100, "lobby", "news");
    assertThat(node.next("a", "disconnect").path("reason").asString()).isEqualTo("ping timeout");
    proxy.refuse(false);

    JsonNode again = node.connected("a");
    assertThat(again.path("recovered").asBoolean()).isTrue();
    assertThat(again.path("id").asString()).isEqualTo(id);
    assertReplayed(server, "a", missed);

    JsonNode self = node.ack("a", "whoami");
    assertThat(self.path("recovered").asBoolean()).isTrue();
    assertThat(self.path("id").asString()).isEqualTo(id);
    assertThat(self.path("rooms").valueStream().map(JsonNode::asString)).containsExactlyInAnyOrder(id, "lobby", "news");
    assertThat(self.path("data").path("colour").asString()).isEqualTo("green");
    assertThat(self.path("data").has("lock")).as("a value JSON cannot hold is not saved").isFalse();
    assertThat(self.path("data").path("connections").asInt()).as("the handler ran after data was restored")
        .isEqualTo(2);

    String live = server.room("news").post("chat", Map.of("n", 1000, "room", "news")).block(Timeouts.STEP).id();
    assertThat(node.next("a", "event").path("args").path(1).asString()).isEqualTo(live);
  }

  @Test
  void recoversAfterTheConnectionIsCutWhileMessagesAreInFlight() throws Exception {
    ChatServer server = server(store);
    TcpProxy proxy = proxy(server);
    driver(proxy);
    String id = connect("a");
    receivedPost(server, "a", 1);

    proxy.refuse(true);
    proxy.dropAll();
    // Some of these may reach the server's buffer for the dying socket: they must come again, once.
    Map<String, List<String>> missed = RecoveryApp.post(server, 100, "lobby", "news");
    awaitGone(server, id);
    node.next("a", "disconnect");
    proxy.refuse(false);

    JsonNode again = node.connected("a");
    assertThat(again.path("recovered").asBoolean()).isTrue();
    assertThat(again.path("id").asString()).isEqualTo(id);
    assertReplayed(server, "a", missed);
  }

  @Test
  void recoversAfterTheHostRestarts() throws Exception {
    ChatServer first = server(store);
    TcpProxy proxy = proxy(first);
    driver(proxy);
    String id = connect("a");
    receivedPost(first, "a", 1);

    proxy.refuse(true);
    first.close();
    assertThat(node.next("a", "disconnect").path("reason").asString())
        .as("told by a closing socket, not a DISCONNECT packet, so the client comes back").isEqualTo("transport close");
    ChatServer second = server(store);
    proxy.target(RecoveryApp.port(second));
    Map<String, List<String>> missed = RecoveryApp.post(second, 100, "lobby", "news");
    proxy.refuse(false);

    JsonNode again = node.connected("a");
    assertThat(again.path("recovered").asBoolean()).isTrue();
    assertThat(again.path("id").asString()).isEqualTo(id);
    assertReplayed(second, "a", missed);
    assertThat(second.namespace().channel(id)).isPresent();
  }

  @Test
  void recoversOnAnotherNodeSharingTheStore() throws Exception {
    ChatServer a = server(store);
    ChatServer b = server(store);
    TcpProxy proxy = proxy(a);
    driver(proxy);
    String id = connect("c");
    receivedPost(a, "c", 1);

    proxy.refuse(true);
    proxy.dropAll();
    awaitGone(a, id);
    Map<String, List<String>> missed = RecoveryApp.post(a, 100, "lobby", "news");
    node.next("c", "disconnect");
    proxy.target(RecoveryApp.port(b));
    proxy.refuse(false);

    JsonNode again = node.connected("c");
    assertThat(again.path("recovered").asBoolean()).isTrue();
    assertThat(again.path("id").asString()).isEqualTo(id);
    assertReplayed(b, "c", missed);
    assertThat(b.namespace().channel(id)).isPresent();
    assertThat(a.namespace().channel(id)).isEmpty();
  }

  @Test
  void ownPostsAreNotReplayedToTheirSender() throws Exception {
    ChatServer server = server(store);
    TcpProxy proxy = proxy(server);
    driver(proxy);
    String id = connect("a");
    connectDirectly("b", server);
    String first = receivedPost(server, "a", 1);
    assertThat(node.next("b", "event").path("args").path(1).asString()).isEqualTo(first);

    proxy.refuse(true);
    node.emit("a", "say", Map.of("text", "mine"));
    String mine = node.next("b", "event").path("args").path(1).asString();
    proxy.dropAll();
    awaitGone(server, id);
    Map<String, List<String>> missed = RecoveryApp.post(server, 10, "lobby");
    node.events("b", 10);
    proxy.refuse(false);

    assertThat(node.next("a", "disconnect").path("type").asString()).isEqualTo("disconnect");
    assertThat(node.connected("a").path("recovered").asBoolean()).isTrue();
    // Exactly the ten: the post "a" made itself, between its offset and the drop, is not among them.
    assertReplayed(server, "a", missed);
    assertThat(mine).isNotEmpty();
  }

  @Test
  void anOffsetOlderThanTheHistoryGivesACleanSession() throws Exception {
    MemoryStore small = new MemoryStore(new MemoryStoreConfig(10));
    ChatServer server = server(small);
    TcpProxy proxy = proxy(server);
    driver(proxy);
    String id = connect("a");
    receivedPost(server, "a", 1);
    assertThat(node.ack("a", "note", "colour", "green").asBoolean()).isTrue();

    proxy.refuse(true);
    proxy.dropAll();
    awaitGone(server, id);
    RecoveryApp.post(server, 20, "lobby");
    node.next("a", "disconnect");
    proxy.refuse(false);

    assertCleanSession("a", id);
  }

  @Test
  void anExpiredSessionGivesACleanSession() throws Exception {
    ManualClock clock = new ManualClock();
    ChatServer server = server(new MemoryStore(MemoryStoreConfig.defaults(), clock),
        c -> c.maxDisconnectionDuration(Duration.ofMillis(200)));
    TcpProxy proxy = proxy(server);
    driver(proxy);
    String id = connect("a");
    receivedPost(server, "a", 1);
    assertThat(node.ack("a", "note", "colour", "green").asBoolean()).isTrue();

    proxy.refuse(true);
    proxy.dropAll();
    awaitGone(server, id);
    node.next("a", "disconnect");
    // Past the configured duration on the store's clock: the saved state has expired.
    clock.advance(Duration.ofSeconds(1));
    proxy.refuse(false);

    assertCleanSession("a", id);
  }

  @Test
  void aRevokedUserIsNotRecovered() throws Exception {
    ChatServer server = server(store);
    TcpProxy proxy = proxy(server);
    driver(proxy);
    String id = connect("a");
    receivedPost(server, "a", 1);

    proxy.refuse(true);
    proxy.dropAll();
    awaitGone(server, id);
    node.next("a", "disconnect");
    RecoveryApp.REVOKED.add("a");
    proxy.refuse(false);

    node.refused("a", "revoked");
    assertThat(server.namespace().channel(id)).isEmpty();
  }

  @Test
  void aNamespaceCanOptOut() throws Exception {
    ChatServer server = ChatServer.builder()
        .transport(new WebSocketTransport(WebSocketTransportConfig.defaults()))
        .store(store)
        .config(c -> c.bindAddress("127.0.0.1").port(0))
        .namespace("/plain", ns -> ns.connectionStateRecovery(false).onConnection(channel -> channel.join("lobby")))
        .start();
    resources.add(server);
    TcpProxy proxy = proxy(server);
    driver(proxy);
    node.open("a", "/plain");
    String id = node.connected("a").path("id").asString();
    // The CONNECT answer can overtake the connection handler's join.
    await().atMost(Timeouts.STEP).until(() -> server.namespace("/plain").room("lobby").members().size() == 1);
    server.namespace("/plain").room("lobby").post("chat", "hi").block(Timeouts.STEP);
    assertThat(node.next("a", "event").path("args").valueStream().map(JsonNode::asString))
        .as("no offset").containsExactly("hi");

    proxy.dropAll();
    node.next("a", "disconnect");
    JsonNode again = node.connected("a");
    assertThat(again.path("recovered").asBoolean()).isFalse();
    assertThat(again.path("id").asString()).isNotEqualTo(id);
  }

  @Test
  void emitsCarryNoOffset() throws Exception {
    ChatServer server = server(store);
    TcpProxy proxy = proxy(server);
    driver(proxy);
    connect("a");
    String last = receivedPost(server, "a", 1);
    node.emit("a", "shout", "a string that must not become the offset");
    JsonNode shout = node.next("a", "event");
    assertThat(shout.path("event").asString()).isEqualTo("shout");
    assertThat(shout.path("args").size()).isEqualTo(2);
    assertThat(shout.path("args").path(0).asString()).isEqualTo("a string that must not become the offset");
    assertThat(shout.path("args").path(1).isNull()).isTrue();
    server.to("lobby").emit("tick", Map.of("n", 1));
    assertThat(node.next("a", "event").path("args").size()).as("no slot after a non-string").isEqualTo(1);

    String id = node.ack("a", "whoami").path("id").asString();
    proxy.refuse(true);
    proxy.dropAll();
    awaitGone(server, id);
    Map<String, List<String>> missed = RecoveryApp.post(server, 3, "lobby");
    node.next("a", "disconnect");
    proxy.refuse(false);
    assertThat(node.connected("a").path("recovered").asBoolean())
        .as("the client's offset is still %s", last).isTrue();
    assertReplayed(server, "a", missed);
  }

  private void assertCleanSession(String name, String oldId) throws Exception {
    JsonNode again = node.connected(name);
    assertThat(again.path("recovered").asBoolean()).isFalse();
    String newId = again.path("id").asString();
    assertThat(newId).isNotEqualTo(oldId);
    JsonNode self = node.ack(name, "whoami");
    assertThat(self.path("recovered").asBoolean()).isFalse();
    assertThat(self.path("rooms").valueStream().map(JsonNode::asString))
        .as("only what the connection handler joins").containsExactlyInAnyOrder(newId, "lobby");
    assertThat(self.path("data").properties()).hasSize(1);
    assertThat(self.path("data").path("connections").asInt()).isEqualTo(1);
    assertThat(self.path("auth").has("pid")).as("recovery keys are not the application's").isFalse();
    assertThat(self.path("auth").has("offset")).isFalse();
    assertThat(self.path("auth").path("user").asString()).isEqualTo(name);
  }
}
