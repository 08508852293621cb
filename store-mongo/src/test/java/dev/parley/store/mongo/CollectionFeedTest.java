package dev.parley.store.mongo;

import static dev.parley.test.Nodes.messageIds;
import static dev.parley.test.Nodes.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.parley.Batching;
import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.Replay;
import dev.parley.error.StoreException;
import dev.parley.test.Nodes;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import dev.parley.testsupport.TestMongo;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * A room fed by the application's own collection: documents a plain driver client inserts are the room's
 * history and its live messages, in order, each once, across nodes; resume after an id; the refusals.
 */
class CollectionFeedTest {
  private static TestMongo mongo;
  private String database;
  private MongoNodes stores;
  private Nodes nodes;
  private MongoCollection<Document> messages;

  @BeforeAll
  static void startMongo() {
    mongo = TestMongo.start();
  }

  @AfterAll
  static void stopMongo() {
    mongo.close();
  }

  @BeforeEach
  void setUp() {
    MongoStoreConfig config = MongoNodes.config(mongo)
        .collectionFeed(CollectionFeed.builder("message").roomField("parent").event("messages").build())
        .build();
    database = config.database();
    messages = mongo.client().getDatabase(database).getCollection("message");
    stores = new MongoNodes(config);
    nodes = Nodes.eachWith(stores);
  }

  @AfterEach
  void close() {
    nodes.close();
    stores.close();
  }

  /** Inserts as another program would, with the driver's own ObjectId. */
  private ObjectId insert(String parent, String text) {
    ObjectId id = new ObjectId();
    Mono.from(messages.insertOne(new Document("_id", id).append("parent", parent).append("text", text)
        .append("at", new Date(0)))).block(Timeouts.EXPECTED);
    return id;
  }

  @Test
  void storedDocumentsThenEveryInsertedOneOnEveryNode() {
    ObjectId first = insert("42", "a");
    ObjectId second = insert("42", "b");
    insert("7", "another room");
    Nodes.Node one = nodes.start();
    Nodes.Node two = nodes.start();
    TestClient alice = one.connect();
    TestClient bob = two.connect();

    one.join(alice, "42", Replay.all());
    two.join(bob, "42", Replay.last(1));
    ObjectId third = insert("42", "c");

    // The change stream and the bus are separate streams: count events rather than wait for a marker.
    List<ReceivedEvent> got = alice.next(3);
    assertThat(messageIds(got)).containsExactly(first.toHexString(), second.toHexString(), third.toHexString());
    assertThat(got).extracting(ReceivedEvent::name).containsOnly("messages");
    assertThat(got.get(0).arg(0).toString()).isEqualTo("{\"_id\":\"" + first.toHexString()
        + "\",\"parent\":\"42\",\"text\":\"a\",\"at\":\"1970-01-01T00:00:00.000Z\"}");
    assertThat(messageIds(bob.next(2))).containsExactly(second.toHexString(), third.toHexString());
    alice.assertNoMoreEvents();
  }

  @Test
  void theTutorialsShapeHistoryAsOneArrayThenArraysOfOne() {
    insert("42", "a");
    insert("42", "b");
    Nodes.Node node = nodes.start();
    TestClient client = node.connect();

    node.channel(client).join("42", Replay.all(), Batching.arrays("messages")).block(Timeouts.EXPECTED);
    insert("42", "c");

    List<ReceivedEvent> got = client.next(2);
    assertThat(got).extracting(e -> e.arg(0).size()).containsExactly(2, 1);
    assertThat(got.get(1).arg(0).get(0).get("text").asString()).isEqualTo("c");
  }

  @Test
  void aResumeAfterAnIdGetsTheLaterDocumentsOnly() {
    insert("42", "a");
    ObjectId seen = insert("42", "b");
    ObjectId missed = insert("42", "c");
    Nodes.Node node = nodes.start();
    TestClient client = node.connect();

    node.join(client, "42", Replay.after(seen.toHexString()));
    node.server().to("42").emit("end");

    assertThat(messageIds(until(client, "end"))).containsExactly(missed.toHexString());
  }

  @Test
  void documentsThatCommitOutOfIdOrderAreAllDeliveredLive() {
    Nodes.Node node = nodes.start();
    TestClient client = node.connect();
    node.join(client, "42", Replay.none());
    // Two writers: the later id commits first.
    ObjectId earlier = new ObjectId();
    ObjectId later = new ObjectId();
    Mono.from(messages.insertOne(new Document("_id", later).append("parent", "42"))).block(Timeouts.EXPECTED);
    Mono.from(messages.insertOne(new Document("_id", earlier).append("parent", "42"))).block(Timeouts.EXPECTED);

    assertThat(messageIds(client.next(2))).containsExactly(later.toHexString(), earlier.toHexString());
  }

  @Test
  void aPostIsInsertedAsADocumentOfTheRoom() {
    Nodes.Node node = nodes.start();
    TestClient client = node.connect();
    node.join(client, "42", Replay.none());

    Message posted = node.server().room("42").post("ignored", Map.of("text", "from the server"))
        .block(Timeouts.EXPECTED);

    Document stored = Mono.from(messages.find(new Document("_id", new ObjectId(posted.id())))).block(Timeouts.EXPECTED);
    assertThat(stored.getString("parent")).isEqualTo("42");
    assertThat(stored.getString("text")).isEqualTo("from the server");
    assertThat(messageIds(client.next(1))).containsExactly(posted.id());
    assertThatThrownBy(() -> node.server().room("42").post("e", "not an object").block(Timeouts.EXPECTED))
        .isInstanceOf(StoreException.class).hasMessageContaining("JSON object");
  }

  @Test
  void historyPagesAndOtherRoomsStayParleys() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(insert("42", "m" + i).toHexString());
    }
    Nodes.Node node = nodes.start();
    MongoStore store = (MongoStore) node.store();

    assertThat(store.history("/", "42", HistoryQuery.latest(2)).map(Message::id).collectList().block(Timeouts.EXPECTED))
        .isEqualTo(ids.subList(3, 5));
    assertThat(store.history("/", "42", HistoryQuery.after(ids.get(1), 2)).map(Message::id).collectList().block(Timeouts.EXPECTED))
        .isEqualTo(ids.subList(2, 4));
    assertThatThrownBy(() -> store.history("/", "42", HistoryQuery.after("not-an-id", 2)).blockLast(Timeouts.EXPECTED))
        .isInstanceOf(StoreException.class).hasMessageContaining("not an id");
    // Another namespace's room of the same name is Parley's own.
    Message own = store.append(new dev.parley.spi.Post("/other", "42", "chat",
        JsonMapper.shared().valueToTree("x"), null)).block(Timeouts.EXPECTED);
    assertThat(own.id()).isNotIn(ids);
    assertThat(Mono.from(messages.countDocuments()).block(Timeouts.EXPECTED)).isEqualTo(5);
  }

  @Test
  void aNumericOrderFieldWithoutAUniqueIndexIsRefusedAtStart() {
    MongoStoreConfig config = MongoNodes.config(mongo)
        .collectionFeed(CollectionFeed.builder("numbered").roomField("parent").orderByNumber("seq").build())
        .build();
    MongoStore store = new MongoStore(config);
    try {
      assertThatThrownBy(() -> store.start().block(Timeouts.EXPECTED))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("createIndex({\"parent\": 1, \"seq\": 1}, {unique: true})");
    } finally {
      store.stop().block(Timeouts.EXPECTED);
    }
  }

  @Test
  void aNumericOrderFieldWithItsUniqueIndexOrdersTheRoom() {
    MongoStoreConfig config = MongoNodes.config(mongo)
        .collectionFeed(CollectionFeed.builder("numbered").roomField("parent").orderByNumber("seq").build())
        .build();
    MongoCollection<Document> numbered = mongo.client().getDatabase(config.database()).getCollection("numbered");
    Mono.from(numbered.createIndex(Indexes.ascending("parent", "seq"), new IndexOptions().unique(true)))
        .block(Timeouts.EXPECTED);
    for (long seq : new long[] {-3, 10, 2}) {
      Mono.from(numbered.insertOne(new Document("parent", "p").append("seq", seq))).block(Timeouts.EXPECTED);
    }
    Mono.from(numbered.insertOne(new Document("parent", "p").append("seq", 7))).block(Timeouts.EXPECTED);
    try (MongoNodes ownStores = new MongoNodes(config); Nodes own = Nodes.eachWith(ownStores)) {
      Nodes.Node node = own.start();
      List<Message> history = node.store().history("/", "p", HistoryQuery.latest(10)).collectList()
          .block(Timeouts.EXPECTED);
      assertThat(history).extracting(m -> m.payload().get("seq").asLong()).containsExactly(-3L, 2L, 7L, 10L);
      assertThat(history).extracting(Message::id).isSorted();
      assertThat(node.store().history("/", "p", HistoryQuery.after(history.get(1).id(), 10)).collectList()
          .block(Timeouts.EXPECTED)).extracting(m -> m.payload().get("seq").asLong()).containsExactly(7L, 10L);
    }
  }

  @Test
  void theChangeStreamResumesAfterTheDatabaseWasAway() {
    try (TestMongo own = TestMongo.inProcess()) {
      MongoStoreConfig config = MongoNodes.config(own)
          .collectionFeed(CollectionFeed.builder("message").roomField("parent").build()).build();
      MongoStore store = new MongoStore(config);
      store.start().block(Timeouts.EXPECTED);
      List<Message> seen = new CopyOnWriteArrayList<>();
      Disposable feed = store.feed().subscribe(seen::add);
      // Another program writes through a listener that stays up while the one the store uses is down.
      try (MongoClient writer = MongoClients.create(own.secondConnectionString())) {
        MongoCollection<Document> collection = writer.getDatabase(config.database()).getCollection("message");
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          if (i == 2) {
            own.stopServer();
            await().atMost(Timeouts.EXPECTED).until(() -> !store.isLive());
          }
          if (i == 5) {
            own.restartServer();
          }
          ObjectId id = new ObjectId();
          Mono.from(collection.insertOne(new Document("_id", id).append("parent", "42"))).block(Timeouts.EXPECTED);
          written.add(id.toHexString());
        }
        await().atMost(Timeouts.EXPECTED).until(() -> seen.size() >= 6);
        assertThat(seen).extracting(Message::id).containsExactlyElementsOf(written);
        // Each change stream resumes on its own: the collection's may deliver before the bus's is back.
        await().atMost(Timeouts.EXPECTED).until(store::isLive);
      } finally {
        feed.dispose();
        store.stop().block(Timeouts.EXPECTED);
      }
    }
  }

  @Test
  void configurationsThatCannotKeepTheGuaranteeAreRefused() {
    assertThatThrownBy(() -> CollectionFeed.builder("message").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("roomField");
    assertThatThrownBy(() -> CollectionFeed.builder("message").roomField("_id").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CollectionFeed.builder("message").roomField("p").orderByNumber("_id").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ObjectIds");
    CollectionFeed feed = CollectionFeed.builder("message").roomField("p").build();
    assertThatThrownBy(() -> MongoStoreConfig.builder().collectionFeed(feed)
        .collectionFeed(CollectionFeed.builder("other").roomField("p").roomPrefix("x:").build()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("claim the same rooms");
    assertThatThrownBy(() -> MongoStoreConfig.builder()
        .collectionFeed(CollectionFeed.builder("messages").roomField("p").build()).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Parley's own");
    assertThat(MongoStoreConfig.builder().collectionFeed(feed)
        .collectionFeed(CollectionFeed.builder("other").namespace("/admin").roomField("p").build()).build()
        .collectionFeeds()).hasSize(2);
  }
}
