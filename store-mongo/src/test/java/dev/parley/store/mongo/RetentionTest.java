package dev.parley.store.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.spi.Post;
import dev.parley.store.mongo.internal.MessageIds;
import dev.parley.test.Timeouts;
import dev.parley.testsupport.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.JsonNodeFactory;

/** Retention: none by default, by count (trimming after posts), by age (a TTL index), and ids never reused. */
class RetentionTest {
  private static TestMongo mongo;
  private final List<MongoStore> stores = new ArrayList<>();

  @BeforeAll
  static void startMongo() {
    mongo = TestMongo.start();
  }

  @AfterAll
  static void stopMongo() {
    mongo.close();
  }

  @AfterEach
  void stopStores() {
    stores.forEach(s -> s.stop().block(Timeouts.EXPECTED));
  }

  private MongoStore started(MongoStoreConfig config) {
    MongoStore store = new MongoStore(config);
    stores.add(store);
    store.start().block(Timeouts.EXPECTED);
    return store;
  }

  private static Message post(MongoStore store, int n) {
    return store.append(new Post("/", "r", "m", JsonNodeFactory.instance.numberNode(n), null)).block(Timeouts.EXPECTED);
  }

  private static List<String> history(MongoStore store) {
    return store.history("/", "r", HistoryQuery.latest(1_000)).map(Message::id).collectList().block(Timeouts.EXPECTED);
  }

  private static List<Document> indexes(MongoDatabase database, String collection) {
    return Flux.from(database.getCollection(collection).listIndexes()).collectList().block(Timeouts.EXPECTED);
  }

  @Test
  void byDefaultEverythingIsKeptAndNothingExpires() {
    MongoStoreConfig config = MongoNodes.config(mongo).build();
    MongoStore store = started(config);
    for (int i = 0; i < 30; i++) {
      post(store, i);
    }

    assertThat(history(store)).hasSize(30);
    MongoDatabase database = mongo.client().getDatabase(config.database());
    assertThat(indexes(database, "messages")).noneMatch(index -> index.containsKey("expireAfterSeconds"));
    assertThat(Mono.from(database.getCollection("counters").countDocuments()).block(Timeouts.EXPECTED)).isZero();
  }

  @Test
  void maxMessagesPerRoomTrimsOldMessagesAfterPosts() {
    MongoStore store = started(MongoNodes.config(mongo).maxMessagesPerRoom(5).build());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ids.add(post(store, i).id());
    }

    await().atMost(Timeouts.EXPECTED).until(() -> history(store).size() == 5);
    assertThat(history(store)).containsExactlyElementsOf(ids.subList(7, 12));
    assertThat(store.history("/", "r", HistoryQuery.after(ids.get(0), 100)).map(Message::id).collectList()
        .block(Timeouts.EXPECTED)).containsExactlyElementsOf(ids.subList(7, 12));
    assertThat(post(store, 12).id()).isEqualTo(MessageIds.of(13, "/", "r"));
  }

  @Test
  void maxAgeCreatesATtlIndexAndExpiredRoomsKeepTheirNumbering() {
    MongoStoreConfig config = MongoNodes.config(mongo).maxAge(Duration.ofHours(2)).build();
    MongoStore store = started(config);
    for (int i = 0; i < 3; i++) {
      post(store, i);
    }
    MongoDatabase database = mongo.client().getDatabase(config.database());
    assertThat(indexes(database, "messages")).anySatisfy(index -> {
      assertThat(index.get("key", Document.class)).isEqualTo(new Document("createdAt", 1));
      assertThat(((Number) index.get("expireAfterSeconds")).longValue()).isEqualTo(7_200);
    });
    await().atMost(Timeouts.EXPECTED).until(() -> Mono.from(database.getCollection("counters")
        .find().first()).map(d -> ((Number) d.get("seq")).longValue()).blockOptional(Timeouts.EXPECTED)
        .orElse(0L) == 3);

    // What the TTL monitor does once the messages are old enough: all of the room's messages are gone.
    Mono.from(database.getCollection("messages").deleteMany(Filters.eq("room", "r"))).block(Timeouts.EXPECTED);
    MongoStore restarted = started(config);

    assertThat(history(restarted)).isEmpty();
    assertThat(post(restarted, 3).id()).isEqualTo(MessageIds.of(4, "/", "r"));
  }
}
