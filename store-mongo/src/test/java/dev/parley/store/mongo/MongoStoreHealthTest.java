package dev.parley.store.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import dev.parley.spi.BusMessage;
import dev.parley.spi.StoreHealth;
import dev.parley.store.mongo.internal.ChangeStreamFollower.State;
import dev.parley.test.Timeouts;
import dev.parley.testsupport.TestMongo;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * {@link MongoStore#health()}: up with details while the streams follow, the bus lag once an emit has
 * travelled, down (within the ping's timeout, never hanging) when the server is away or a stream has given
 * up, and up again when the server is back. The outage cases use the in-process server, which a test can
 * stop, or a server of the test's own that stops answering.
 */
class MongoStoreHealthTest {
  // What a health call may take: its own ping timeout, and scheduling on a busy machine.
  private static final Duration CHECK = MongoStore.HEALTH_TIMEOUT.plus(dev.parley.testsupport.Timeouts.SLACK);
  private static final Duration WAIT = dev.parley.testsupport.Timeouts.SLOW;

  private final List<MongoStore> stores = new ArrayList<>();
  private @Nullable TestMongo mongo;
  private @Nullable MongoClient client;

  @AfterEach
  void close() {
    try {
      for (MongoStore store : stores) {
        store.stop().block(Timeouts.EXPECTED);
      }
      if (client != null) {
        client.close();
      }
    } finally {
      if (mongo != null) {
        mongo.close();
      }
    }
  }

  private MongoStore started(MongoStore store) {
    stores.add(store);
    StepVerifier.create(store.start()).expectComplete().verify(Timeouts.EXPECTED);
    return store;
  }

  private static StoreHealth health(MongoStore store, Duration within) {
    StoreHealth[] out = new StoreHealth[1];
    StepVerifier.create(store.health()).consumeNextWith(h -> out[0] = h).expectComplete().verify(within);
    return out[0];
  }

  @Test
  void upWhileFollowingAndTheBusLagOnceAnEmitTravelled() {
    mongo = TestMongo.start();
    MongoStoreConfig config = MongoNodes.config(mongo).build();
    MongoStore store = started(new MongoStore(config));

    StoreHealth health = health(store, CHECK);
    assertThat(health.up()).as("%s", health).isTrue();
    assertThat(health.details()).containsEntry("store", "mongodb").containsEntry("database", config.database())
        .containsEntry("ping", "ok").containsEntry("feed", "following").containsEntry("bus", "following")
        .containsEntry("busLagMillis", -1L).doesNotContainKeys("busLastReceived", "error", "collectionFeeds");
    assertThat((long) health.details().get("pingMillis")).isNotNegative();

    BusMessage emit = new BusMessage("node-a", "/", Set.of("r"), Set.of(), "typing",
        List.of(JsonNodeFactory.instance.textNode("b")));
    Instant before = Instant.now();
    StepVerifier.create(store.bus().messages().take(1))
        .then(() -> store.bus().publish(emit).block(Timeouts.EXPECTED))
        .expectNext(emit)
        .expectComplete()
        .verify(Timeouts.EXPECTED);
    Instant after = Instant.now();

    health = health(store, CHECK);
    assertThat(health.up()).isTrue();
    long lag = (long) health.details().get("busLagMillis");
    assertThat(lag).isBetween(0L, Duration.between(before, after).toMillis());
    assertThat(Instant.parse((String) health.details().get("busLastReceived"))).isBetween(before, after);
  }

  @Test
  void downBeforeStartAndAfterStop() {
    MongoStore store = new MongoStore(MongoStoreConfig.builder().connectionString("mongodb://127.0.0.1:1").build());

    StoreHealth health = health(store, CHECK);
    assertThat(health.up()).isFalse();
    assertThat(health.details()).containsEntry("state", "new").containsEntry("error", "the store is new");

    store.stop().block(Timeouts.EXPECTED);
    assertThat(health(store, CHECK).details()).containsEntry("state", "stopped");
  }

  /**
   * The server stops: the check completes within its timeout, down, saying why; the streams show as
   * restarting; when the server is back they follow again and the store is up.
   */
  @Test
  void downWhileTheServerIsAwayAndUpWhenItReturns() {
    mongo = TestMongo.inProcess();
    // Shorter driver timeouts than the fixture's, so that the outage shows sooner.
    MongoStore store = started(new MongoStore(MongoNodes.config(mongo)
        .connectionString("mongodb://127.0.0.1:" + URI.create(mongo.connectionString()).getPort()
            + "/?serverSelectionTimeoutMS=500&connectTimeoutMS=500&heartbeatFrequencyMS=500")
        .build()));
    assertThat(health(store, CHECK).up()).isTrue();

    mongo.stopServer();
    await().atMost(WAIT).until(() -> store.messagesFollower().state() == State.RESTARTING
        && store.busFollower().state() == State.RESTARTING);
    StoreHealth down = health(store, CHECK);
    assertThat(down.up()).as("%s", down).isFalse();
    assertThat(down.details()).containsEntry("ping", "failed").containsEntry("feed", "restarting")
        .containsEntry("bus", "restarting").doesNotContainKey("pingMillis");
    assertThat((String) down.details().get("error")).isNotBlank();

    mongo.restartServer();
    await().atMost(WAIT).until(() -> {
      StoreHealth health = health(store, CHECK);
      return health.up() && "following".equals(health.details().get("feed"))
          && "following".equals(health.details().get("bus"));
    });
  }

  /**
   * The server keeps its connections but stops answering {@code ping}, as a hung server does (the driver's
   * own monitoring still sees it, so the driver would wait forever): the check still answers down within its
   * own timeout, and the streams are still following.
   */
  @Test
  void aServerThatDoesNotAnswerIsDownWithinTheTimeout() {
    StallingBackend backend = new StallingBackend();
    backend.version(ServerVersion.MONGO_5_0);
    backend.enableOplog();
    MongoServer server = new MongoServer(backend);
    // A worker thread per connection: a stalled ping holds only its own.
    server.bind(new InetSocketAddress("127.0.0.1", 0), 1, 64);
    try {
      MongoStore store = started(new MongoStore(MongoStoreConfig.builder()
          .connectionString("mongodb://127.0.0.1:" + server.getLocalAddress().getPort()
              + "/?serverSelectionTimeoutMS=1500")
          .database("health").build()));
      assertThat(health(store, CHECK).up()).isTrue();

      backend.stall.set(true);
      StoreHealth down = health(store, CHECK);

      assertThat(down.up()).isFalse();
      assertThat(down.details()).containsEntry("ping", "failed").containsEntry("feed", "following")
          .containsEntry("error", "no answer to ping within " + MongoStore.HEALTH_TIMEOUT.toMillis() + " ms");
    } finally {
      backend.release.countDown();
      for (MongoStore store : stores) {
        store.stop().block(Timeouts.EXPECTED);
      }
      stores.clear();
      server.shutdownNow();
    }
  }

  /** A server whose {@code ping} hangs once {@link #stall} is set, until {@link #release} opens. */
  private static final class StallingBackend extends MemoryBackend {
    final AtomicBoolean stall = new AtomicBoolean();
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public Document handleCommand(Channel channel, String database, String command, Document query) {
      if (stall.get() && command.equalsIgnoreCase("ping")) {
        try {
          release.await(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return super.handleCommand(channel, database, command, query);
    }
  }

  /** A stream whose client was closed gives up for good: the store is down and says which stream and why. */
  @Test
  void downWhenAStreamHasGivenUp() {
    mongo = TestMongo.start();
    MongoStoreConfig config = MongoNodes.config(mongo).build();
    client = MongoClients.create(config.connectionString());
    MongoStore store = started(new MongoStore(client, config));

    client.close();
    await().atMost(WAIT).until(() -> store.messagesFollower().state() == State.FAILED);

    StoreHealth down = health(store, CHECK);
    assertThat(down.up()).isFalse();
    assertThat(down.details()).containsEntry("feed", "failed").containsEntry("ping", "failed");
    assertThat((String) down.details().get("error")).isNotBlank();
  }
}
