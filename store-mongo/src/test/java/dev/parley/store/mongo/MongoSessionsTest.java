package dev.parley.store.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.parley.error.StoreException;
import dev.parley.test.Timeouts;
import dev.parley.testsupport.TestMongo;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The sessions collection as MongoDB sees it: its documents and TTL index, a take that does not wait
 * for the TTL monitor, and failures as {@link StoreException}s. (The behaviour every store shares is in
 * {@code StoreContractTest}.)
 */
class MongoSessionsTest {
  private static TestMongo mongo;

  @BeforeAll
  static void startMongo() {
    mongo = TestMongo.start();
  }

  @AfterAll
  static void stopMongo() {
    mongo.close();
  }

  private static MongoStore started(MongoStoreConfig config) {
    MongoStore store = new MongoStore(config);
    store.start().block(Timeouts.EXPECTED);
    return store;
  }

  private static MongoCollection<Document> collection(MongoStoreConfig config, String name) {
    return mongo.client().getDatabase(config.database()).getCollection(name);
  }

  @Test
  void aSessionIsOneDocumentKeyedByNamespaceAndPrivateIdWithATtlIndexOnItsExpiry() {
    MongoStoreConfig config = MongoNodes.config(mongo).sessionsCollection("recovery").build();
    MongoStore store = started(config);
    MongoStore second = started(config);
    try {
      long before = System.currentTimeMillis();
      store.saveSession("/chat", "$where", "{\"rooms\":[\"a.b\"]}", Duration.ofSeconds(90)).block(Timeouts.EXPECTED);
      long after = System.currentTimeMillis();

      List<Document> documents = Flux.from(collection(config, "recovery").find()).collectList().block(Timeouts.EXPECTED);
      assertThat(documents).singleElement().satisfies(d -> {
        assertThat(d.get("_id")).isEqualTo(new Document("ns", "/chat").append("pid", "$where"));
        assertThat(d.getString("state")).isEqualTo("{\"rooms\":[\"a.b\"]}");
        assertThat(d.getDate("expiresAt").getTime()).isBetween(before + 90_000, after + 90_000);
        assertThat(d.keySet()).containsExactly("_id", "state", "expiresAt");
      });
      // Both stores created the index at start: the second found it there.
      List<Document> indexes = Flux.from(collection(config, "recovery").listIndexes()).collectList()
          .block(Timeouts.EXPECTED);
      assertThat(indexes).filteredOn(i -> "parley_sessions_ttl".equals(i.getString("name"))).singleElement()
          .satisfies(index -> {
            assertThat(index.get("key", Document.class)).isEqualTo(new Document("expiresAt", 1));
            assertThat(((Number) index.get("expireAfterSeconds")).longValue()).isZero();
          });
    } finally {
      second.stop().block(Timeouts.EXPECTED);
      store.stop().block(Timeouts.EXPECTED);
    }
  }

  @Test
  void anExpiredSessionTheTtlMonitorHasNotRemovedYetIsNotTaken() {
    MongoStoreConfig config = MongoNodes.config(mongo).build();
    MongoStore store = started(config);
    try {
      // What a save looks like once its time has passed and before MongoDB's TTL monitor came by.
      Mono.from(collection(config, "sessions").insertOne(new Document("_id", new Document("ns", "/").append("pid", "p"))
          .append("state", "stale").append("expiresAt", new Date(System.currentTimeMillis() - 1_000))))
          .block(Timeouts.EXPECTED);

      StepVerifier.create(store.takeSession("/", "p")).expectComplete().verify(Timeouts.EXPECTED);

      store.saveSession("/", "p", "fresh", Duration.ofMinutes(1)).block(Timeouts.EXPECTED);
      assertThat(Mono.from(collection(config, "sessions").countDocuments(Filters.eq("_id.pid", "p")))
          .block(Timeouts.EXPECTED)).isOne();
      StepVerifier.create(store.takeSession("/", "p")).expectNext("fresh").expectComplete().verify(Timeouts.EXPECTED);
    } finally {
      store.stop().block(Timeouts.EXPECTED);
    }
  }

  @Test
  void badArgumentsAndAStoreNotStartedAreRefusedAtTheCall() {
    MongoStore store = new MongoStore(MongoNodes.config(mongo).build());

    assertThatThrownBy(() -> store.takeSession("/", "p")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not started");
    assertThatThrownBy(() -> store.saveSession("/", "p", "s", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("ttl must be positive: PT0S");
    assertThatThrownBy(() -> store.saveSession("/", null, "s", Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class).hasMessage("privateId");
  }

  @Test
  void databaseFailuresAreStoreExceptionsThatDoNotShowThePrivateId() {
    MongoClient client = MongoClients.create(mongo.connectionString());
    MongoStore store = new MongoStore(client, MongoNodes.config(mongo).build());
    store.start().block(Timeouts.EXPECTED);
    try {
      client.close();

      StepVerifier.create(store.saveSession("/chat", "secret-pid", "s", Duration.ofMinutes(1)))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(StoreException.class)
              .hasMessageContaining("saving a session of namespace \"/chat\"")
              .hasMessageContaining("MongoClient was closed")
              .hasMessageNotContaining("secret-pid"))
          .verify(Timeouts.EXPECTED);
      StepVerifier.create(store.takeSession("/chat", "secret-pid"))
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(StoreException.class)
              .hasMessageContaining("taking a session of namespace \"/chat\"")
              .hasMessageNotContaining("secret-pid"))
          .verify(Timeouts.EXPECTED);
    } finally {
      store.stop().block(Timeouts.EXPECTED);
    }
  }
}
