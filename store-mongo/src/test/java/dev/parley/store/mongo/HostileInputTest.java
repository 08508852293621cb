package dev.parley.store.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.parley.ChatServer;
import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.error.StoreException;
import dev.parley.spi.Post;
import dev.parley.test.InProcessTransport;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import dev.parley.testsupport.TestMongo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Room names and payload keys that look like query operators, paths or patterns are stored and matched as
 * plain values, through a whole node (post, live delivery, history); payloads MongoDB cannot store are
 * refused before anything is sent.
 */
class HostileInputTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static TestMongo mongo;
  private final List<String> commands = new CopyOnWriteArrayList<>();
  private MongoClient client;
  private MongoStore store;
  private ChatServer server;
  private InProcessTransport transport;

  @BeforeAll
  static void startMongo() {
    mongo = TestMongo.start();
  }

  @AfterAll
  static void stopMongo() {
    mongo.close();
  }

  @BeforeEach
  void startNode() {
    client = MongoClients.create(MongoClientSettings.builder()
        .applyConnectionString(new ConnectionString(mongo.connectionString()))
        .addCommandListener(new CommandListener() {
          @Override
          public void commandStarted(CommandStartedEvent event) {
            commands.add(event.getCommandName());
          }
        })
        .build());
    store = new MongoStore(client, MongoNodes.config(mongo).build());
    transport = new InProcessTransport();
    server = ChatServer.builder().transport(transport).store(store).start();
  }

  @AfterEach
  void close() {
    server.close();
    store.stop().block(Timeouts.EXPECTED);
    client.close();
  }

  @Test
  void roomsNamedLikeOperatorsKeepTheirOwnMessages() {
    List<String> rooms = List.of("{\"$ne\": null}", "$where", "$gt", "a.b", "a", ".*", "^a", "function() {}",
        "$".repeat(64) + ".".repeat(64));
    List<TestClient> members = new ArrayList<>();
    for (String room : rooms) {
      TestClient member = transport.connect("/");
      server.namespace().channel(member.id()).orElseThrow().join(room).block(Timeouts.EXPECTED);
      members.add(member);
    }

    List<String> ids = new ArrayList<>();
    for (String room : rooms) {
      ids.add(server.room(room).post("chat", room).block(Timeouts.EXPECTED).id());
    }

    for (int i = 0; i < rooms.size(); i++) {
      ReceivedEvent got = members.get(i).next();
      assertThat(got.arg(0).asString()).isEqualTo(rooms.get(i));
      assertThat(got.messageId()).isEqualTo(ids.get(i));
      assertThat(server.room(rooms.get(i)).history(100).collectList().block(Timeouts.EXPECTED))
          .singleElement().extracting(Message::room).isEqualTo(rooms.get(i));
    }
    // A marker per room after every post: each member gets nothing between its own message and its marker.
    for (String room : rooms) {
      server.room(room).post("marker", room).block(Timeouts.EXPECTED);
    }
    for (TestClient member : members) {
      assertThat(member.next().name()).isEqualTo("marker");
    }
    assertThat(server.room("{\"$ne\": \"x\"}").history(100).collectList().block(Timeouts.EXPECTED)).isEmpty();
    assertThat(server.room("b").history(100).collectList().block(Timeouts.EXPECTED)).isEmpty();
  }

  @Test
  void payloadKeysAndValuesThatLookLikeOperatorsRoundTripExactly() {
    ObjectNode body = JSON.objectNode();
    body.putNull("$ne");
    body.put("$where", "function() { return true; }");
    body.putObject("a.b").put("$gt", 1).put("$set", "x");
    body.put("", "empty key");
    body.put("%", "percent");
    body.put("%24ne", "looks escaped already");
    body.put("nul\u0000key", "nul in key");
    body.put("value", "$where");
    body.putArray("list").addObject().put("$inc", 1).put("x.y.z", true);
    body.put("long", "\u00e9\u6f22".repeat(200_000));
    body.put("big", new java.math.BigInteger("123456789012345678901234567890"));
    body.put("precise", new java.math.BigDecimal("3.14159265358979323846264338327950288419716939937510"));
    TestClient member = transport.connect("/");
    server.namespace().channel(member.id()).orElseThrow().join("lobby").block(Timeouts.EXPECTED);

    Message stored = server.room("lobby").post("chat", body).block(Timeouts.EXPECTED);

    JsonNode live = member.next().arg(0);
    assertThat(live).isEqualTo(body);
    assertThat(server.room("lobby").history(1).blockLast(Timeouts.EXPECTED).payload()).isEqualTo(body);
    assertThat(stored.payload()).isEqualTo(body);
  }

  @Test
  void aPayloadOverSixteenMebibytesIsRefusedBeforeReachingTheServer() {
    JsonNode huge = JSON.stringNode("x".repeat(16 * 1024 * 1024));
    commands.clear();

    StepVerifier.create(store.append(new Post("/", "lobby", "chat", huge, null)))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(StoreException.class)
            .hasMessageContaining("16 MiB").hasMessageContaining("\"lobby\""))
        .verify(Timeouts.EXPECTED);
    StepVerifier.create(store.bus().publish(new dev.parley.spi.BusMessage("n", "/", java.util.Set.of(),
            java.util.Set.of(), "big", List.of(huge))))
        .expectError(StoreException.class)
        .verify(Timeouts.EXPECTED);

    assertThat(commands).doesNotContain("update", "insert");
    assertThat(store.history("/", "lobby", HistoryQuery.latest(10)).collectList().block(Timeouts.EXPECTED)).isEmpty();
  }
}
