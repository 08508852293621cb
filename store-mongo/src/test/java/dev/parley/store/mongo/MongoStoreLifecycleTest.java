package dev.parley.store.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.parley.HistoryQuery;
import dev.parley.error.StoreException;
import dev.parley.spi.Post;
import dev.parley.test.Timeouts;
import dev.parley.testsupport.TestMongo;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.node.JsonNodeFactory;

/** Starting and stopping: clear failures, idempotence, and who closes the client. */
class MongoStoreLifecycleTest {

  private static Post post() {
    return new Post("/", "r", "m", JsonNodeFactory.instance.numberNode(1), null);
  }

  @Test
  void startFailsClearlyWhenTheDatabaseIsUnreachable() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    MongoStore store = new MongoStore(MongoStoreConfig.builder()
        .connectionString("mongodb://127.0.0.1:" + port + "/?serverSelectionTimeoutMS=300").build());

    StepVerifier.create(store.start())
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(StoreException.class)
            .hasMessageContaining("unreachable"))
        .verify(Timeouts.EXPECTED);
    // A failed start is final, as for every Parley component: the store says so, and a new one is needed.
    assertThatThrownBy(() -> store.append(post())).isInstanceOf(IllegalStateException.class)
        .hasMessage("MongoStore is failed");
    StepVerifier.create(store.start()).expectErrorMessage("MongoStore is failed; make a new one")
        .verify(Timeouts.EXPECTED);
    store.stop().block(Timeouts.EXPECTED);
  }

  @Test
  void startFailsClearlyWithoutChangeStreams() {
    MemoryBackend backend = new MemoryBackend();
    backend.version(ServerVersion.MONGO_5_0);
    MongoServer noOplog = new MongoServer(backend);
    noOplog.bind(new InetSocketAddress("127.0.0.1", 0));
    try {
      MongoStore store = new MongoStore(MongoStoreConfig.builder()
          .connectionString("mongodb://127.0.0.1:" + noOplog.getLocalAddress().getPort()).build());

      StepVerifier.create(store.start())
          .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(StoreException.class)
              .hasMessageContaining("replica set").hasMessageContaining("rs.initiate()"))
          .verify(Timeouts.EXPECTED);
      store.stop().block(Timeouts.EXPECTED);
    } finally {
      noOplog.shutdownNow();
    }
  }

  @Test
  void aGivenClientIsNotClosedAndAStoppedStoreStaysStopped() {
    try (TestMongo mongo = TestMongo.start()) {
      MongoClient client = MongoClients.create(mongo.connectionString());
      try {
        MongoStore store = new MongoStore(client, MongoNodes.config(mongo).build());
        assertThatThrownBy(() -> store.history("/", "r", HistoryQuery.latest(1)))
            .isInstanceOf(IllegalStateException.class);
        store.start().block(Timeouts.EXPECTED);
        store.start().block(Timeouts.EXPECTED);
        assertThat(store.isLive()).isTrue();
        StepVerifier.create(store.append(post())).expectNextCount(1).expectComplete().verify(Timeouts.EXPECTED);

        store.stop().block(Timeouts.EXPECTED);
        store.stop().block(Timeouts.EXPECTED);

        StepVerifier.create(store.feed()).expectComplete().verify(Timeouts.EXPECTED);
        assertThatThrownBy(() -> store.append(post())).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("stopped");
        StepVerifier.create(store.start()).expectError(IllegalStateException.class).verify(Timeouts.EXPECTED);
        assertThat(Mono.from(client.getDatabase("admin").runCommand(new Document("ping", 1)))
            .block(Timeouts.EXPECTED)).containsKey("ok");
      } finally {
        client.close();
      }
    }
  }
}
