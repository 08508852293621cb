package dev.parley.store.mongo;

import static dev.parley.test.Nodes.messageIds;
import static dev.parley.test.Nodes.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.error.StoreException;
import dev.parley.test.Nodes;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import dev.parley.testsupport.TestMongo;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The database stops and comes back on the same port, with its data, while a node keeps posting: each
 * post either succeeds or fails with a {@link StoreException}; nothing acknowledged is lost; live
 * delivery resumes by itself. Uses the in-process server, which a test can stop.
 */
class DatabaseOutageTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final TestMongo mongo = TestMongo.inProcess();
  private final MongoNodes stores = new MongoNodes(MongoNodes.config(mongo).build());
  private final Nodes nodes = Nodes.eachWith(stores);
  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    try {
      nodes.closeExhausted();
    } finally {
      stores.close();
      mongo.close();
    }
  }

  @Test
  void postsSucceedOrFailClearlyAndNothingAcknowledgedIsLost() throws Exception {
    Nodes.Node node = nodes.start();
    TestClient member = node.connect("r");
    ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger attempts = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();

    Future<?> poster = pool.submit(() -> {
      for (int i = 0; i < 5_000 && !stop.get(); i++) {
        attempts.incrementAndGet();
        try {
          Message message = node.server().room("r").post("m", i).block(Timeouts.EXPECTED);
          acknowledged.add(message.id());
        } catch (RuntimeException e) {
          failures.add(e);
        }
      }
    });

    await().atMost(WAIT).until(() -> acknowledged.size() >= 20);
    mongo.stopServer();
    int beforeRestart = acknowledged.size();
    await().atMost(WAIT).until(() -> failures.size() >= 2);
    mongo.restartServer();
    await().atMost(WAIT).until(() -> acknowledged.size() >= beforeRestart + 20);
    stop.set(true);
    poster.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    node.server().room("r").post("end", 0).block(Timeouts.EXPECTED);

    assertThat(acknowledged.size() + failures.size()).isEqualTo(attempts.get());
    assertThat(failures).allSatisfy(e -> assertThat(e).isInstanceOf(StoreException.class)
        .hasMessageContaining("post \"m\" to room \"r\" failed"));
    List<String> stored = node.server().room("r").history(new HistoryQuery("", null, 1_000)).map(Message::id)
        .collectList().block(Timeouts.EXPECTED);
    assertThat(stored).containsAll(acknowledged);
    // Live delivery came back by itself: the member got every stored message (a post whose answer was
    // lost with the connection may be stored though it failed), each once, in order.
    List<String> delivered = messageIds(until(member, "end"));
    assertThat(delivered).isSorted().doesNotHaveDuplicates().containsAll(acknowledged);
    Set<String> storedSet = new HashSet<>(stored);
    assertThat(delivered).allSatisfy(id -> assertThat(storedSet).contains(id));
    assertThat(delivered).hasSize(stored.size() - 1);
  }
}
