package dev.parley.store.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ChatServer;
import dev.parley.spi.StoreProvider;
import dev.parley.store.mongo.internal.MessageIds;
import dev.parley.test.InProcessTransport;
import dev.parley.test.Timeouts;
import dev.parley.testsupport.TestMongo;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The config's defaults and checks, and the {@code "mongo"} provider. */
class MongoStoreConfigTest {

  @Test
  void defaultsPointAtALocalMongoDbWithNoRetention() {
    MongoStoreConfig config = MongoStoreConfig.defaults();

    assertThat(config.connectionString()).isEqualTo("mongodb://127.0.0.1:27017");
    assertThat(config.database()).isEqualTo("parley");
    assertThat(config.messagesCollection()).isEqualTo("messages");
    assertThat(config.countersCollection()).isEqualTo("counters");
    assertThat(config.busCollection()).isEqualTo("bus");
    assertThat(config.sessionsCollection()).isEqualTo("sessions");
    assertThat(config.maxAge()).isNull();
    assertThat(config.maxMessagesPerRoom()).isZero();
    assertThat(config.toBuilder().build()).isEqualTo(config);
  }

  @Test
  void badValuesAreRefusedWithTheValueQuoted() {
    assertThatThrownBy(() -> MongoStoreConfig.builder().connectionString("http://x").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mongodb://").hasMessageContaining("http://x");
    assertThatThrownBy(() -> MongoStoreConfig.builder().database("a.b").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"a.b\"");
    assertThatThrownBy(() -> MongoStoreConfig.builder().messagesCollection("$cmd").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"$cmd\"");
    assertThatThrownBy(() -> MongoStoreConfig.builder().busCollection("messages").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different names");
    assertThatThrownBy(() -> MongoStoreConfig.builder().sessionsCollection("bus").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different names");
    assertThatThrownBy(() -> MongoStoreConfig.builder().sessionsCollection("system.x").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionsCollection")
        .hasMessageContaining("\"system.x\"");
    assertThatThrownBy(() -> MongoStoreConfig.builder().maxAge(Duration.ofMillis(10)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAge");
    assertThatThrownBy(() -> MongoStoreConfig.builder().maxMessagesPerRoom(-1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }

  @Test
  void passwordsAreNotShown() {
    MongoStoreConfig config = MongoStoreConfig.builder().connectionString("mongodb://chat:s3cret@db1/").build();

    assertThat(config.toString()).contains("chat:****@db1").doesNotContain("s3cret");
  }

  @Test
  void theProviderIsFoundAsMongoAndTakesTheConnectionStringFromTheEnvironment() {
    assertThat(ServiceLoader.load(StoreProvider.class).stream().map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("mongo"))).singleElement().isInstanceOf(MongoStoreProvider.class);

    assertThat(new MongoStoreProvider(name -> null).config()).isEqualTo(MongoStoreConfig.defaults());
    MongoStoreConfig fromEnv = new MongoStoreProvider(
        Map.of("PARLEY_MONGODB_URI", "mongodb://db1,db2/chat?replicaSet=rs0")::get).config();
    assertThat(fromEnv.connectionString()).isEqualTo("mongodb://db1,db2/chat?replicaSet=rs0");
    assertThat(fromEnv.database()).isEqualTo("chat");

    System.setProperty(MongoStoreProvider.URI_PROPERTY, "mongodb://from-property:27018");
    try {
      assertThat(new MongoStoreProvider(Map.of("PARLEY_MONGODB_URI", "mongodb://from-env")::get).config()
          .connectionString()).isEqualTo("mongodb://from-property:27018");
    } finally {
      System.clearProperty(MongoStoreProvider.URI_PROPERTY);
    }
  }

  @Test
  void aServerAskingForTheMongoStoreByNameGetsOneAndStopsIt() {
    try (TestMongo mongo = TestMongo.start()) {
      System.setProperty(MongoStoreProvider.URI_PROPERTY, withDatabase(mongo.connectionString(), mongo.newDatabase()));
      try (ChatServer server = ChatServer.builder().store("mongo").transport(new InProcessTransport()).start()) {
        assertThat(server.room("lobby").post("chat", "hello").block(Timeouts.EXPECTED).id())
            .isEqualTo(MessageIds.of(1, "/", "lobby"));
      } finally {
        System.clearProperty(MongoStoreProvider.URI_PROPERTY);
      }
    }
  }

  /** The connection string with {@code database} as its path, unless it names a database already. */
  private static String withDatabase(String uri, String database) {
    if (new com.mongodb.ConnectionString(uri).getDatabase() != null) {
      return uri;
    }
    int hosts = uri.indexOf("://") + 3;
    int slash = uri.indexOf('/', hosts);
    int query = uri.indexOf('?', hosts);
    if (slash >= 0) {
      return uri.substring(0, slash + 1) + database + uri.substring(slash + 1);
    }
    return query < 0 ? uri + "/" + database : uri.substring(0, query) + "/" + database + uri.substring(query);
  }
}
