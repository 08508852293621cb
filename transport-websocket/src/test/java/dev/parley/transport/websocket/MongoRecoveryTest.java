package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.Message;
import dev.parley.store.mongo.MongoStore;
import dev.parley.store.mongo.MongoStoreConfig;
import dev.parley.testsupport.TcpProxy;
import dev.parley.testsupport.TestMongo;
import dev.parley.testsupport.Timeouts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Connection state recovery on MongoDB with the official socket.io-client under Node: a client of node A
 * comes back to node B, and a client of the only node comes back after it restarts. The database is
 * mongo-java-server in this JVM with its oplog on (change streams), on 127.0.0.1, or the replica set named
 * by {@code PARLEY_MONGODB_URI}.
 */
class MongoRecoveryTest {
  private final List<AutoCloseable> resources = new ArrayList<>();
  private TestMongo mongo;
  private MongoStoreConfig config;
  private NodeDriver node;

  @BeforeEach
  void startMongo() {
    mongo = TestMongo.start();
    config = MongoStoreConfig.builder().connectionString(mongo.connectionString())
        .database(mongo.newDatabase()).build();
  }

  @AfterEach
  void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    mongo.close();
  }

  /** A node: its own store (and MongoDB connection) on the shared database. */
  private ChatServer node() {
    MongoStore store = new MongoStore(config);
    resources.add(() -> store.stop().block(Timeouts.STEP));
    ChatServer server = RecoveryApp.start(store, c -> { });
    resources.add(server);
    return server;
  }

  private String connect(TcpProxy proxy) throws Exception {
    node = NodeDriver.start(proxy.url());
    resources.add(node);
    node.open("a", "/", JsonNodeFactory.instance.objectNode()
        .set("auth", JsonNodeFactory.instance.objectNode().put("user", "a")));
    String id = node.connected("a").path("id").asString();
    assertThat(node.ack("a", "join", "news").asBoolean()).isTrue();
    return id;
  }

  private void receivedPost(ChatServer server) throws Exception {
    Message message = server.room("lobby").post("chat", Map.of("n", -1, "room", "lobby")).block(Timeouts.STEP);
    assertThat(node.next("a", "event").path("args").path(1).asString()).isEqualTo(message.id());
  }

  private void assertRecoveredWith(ChatServer server, String id, Map<String, List<String>> missed) throws Exception {
    JsonNode again = node.connected("a");
    assertThat(again.path("recovered").asBoolean()).isTrue();
    assertThat(again.path("id").asString()).isEqualTo(id);
    Map<String, List<String>> received = new LinkedHashMap<>();
    int total = missed.values().stream().mapToInt(List::size).sum();
    for (JsonNode event : node.events("a", total)) {
      received.computeIfAbsent(event.path("args").path(0).path("room").asString(), r -> new ArrayList<>())
          .add(event.path("args").path(1).asString());
    }
    assertThat(received).isEqualTo(missed);
    RecoveryApp.assertMarkerNext(server, node, "a");
  }

  @Test
  void aClientOfOneNodeRecoversOnAnother() throws Exception {
    ChatServer a = node();
    ChatServer b = node();
    TcpProxy proxy = new TcpProxy(RecoveryApp.port(a));
    resources.add(proxy);
    String id = connect(proxy);
    receivedPost(a);

    proxy.refuse(true);
    proxy.dropAll();
    await().atMost(Timeouts.STEP).until(() -> a.namespace().channel(id).isEmpty()
        && a.stats().recoverySaves() == 0);
    Map<String, List<String>> missed = RecoveryApp.post(a, 100, "lobby", "news");
    node.next("a", "disconnect");
    proxy.target(RecoveryApp.port(b));
    proxy.refuse(false);

    assertRecoveredWith(b, id, missed);
    assertThat(b.namespace().channel(id)).isPresent();
  }

  @Test
  void aClientRecoversAfterTheOnlyNodeRestarts() throws Exception {
    ChatServer first = node();
    TcpProxy proxy = new TcpProxy(RecoveryApp.port(first));
    resources.add(proxy);
    String id = connect(proxy);
    receivedPost(first);

    proxy.refuse(true);
    // Graceful: the session is saved before the node lets go of the database.
    first.close();
    node.next("a", "disconnect");
    ChatServer second = node();
    proxy.target(RecoveryApp.port(second));
    Map<String, List<String>> missed = RecoveryApp.post(second, 100, "lobby", "news");
    proxy.refuse(false);

    assertRecoveredWith(second, id, missed);
  }
}
