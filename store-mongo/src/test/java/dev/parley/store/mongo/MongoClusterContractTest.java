package dev.parley.store.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.PresenceEvent;
import dev.parley.RemoteChannel;
import dev.parley.test.ClusterContractTest;
import dev.parley.test.Nodes;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import dev.parley.testsupport.TestMongo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * Operations across nodes over MongoDB: three servers, each with its own {@link MongoStore} and client on one
 * database (a new one per test), as three processes would have them.
 */
class MongoClusterContractTest extends ClusterContractTest {
  private static TestMongo mongo;
  private MongoNodes stores;

  @BeforeAll
  static void startMongo() {
    mongo = TestMongo.start();
  }

  @AfterAll
  static void stopMongo() {
    mongo.close();
  }

  @Override
  protected Nodes nodes() {
    stores = new MongoNodes(MongoNodes.config(mongo).build());
    return Nodes.eachWith(stores);
  }

  @AfterEach
  void closeClients() {
    stores.close();
  }

  @Test
  @DisplayName("a node that dies without a word is counted as gone after clusterNodeTimeout; a request waiting"
      + " on it then completes with the others' answers")
  void deadNodeExpires() {
    Nodes.Node a = started().get(0);
    Nodes.Node c = started().get(2);
    TestClient onA = a.connect("x");
    c.connect("x");

    stores.crash(c);
    // A timeout longer than the wait below: an answer within the wait means node-c's expiry ended the request.
    List<RemoteChannel> fetched = a.server().to("x").timeout(Duration.ofMinutes(1)).fetchChannels()
        .block(Timeouts.EXPECTED);

    assertThat(fetched).extracting(RemoteChannel::id).containsExactly(onA.id());
    assertThat(a.server().nodes()).containsExactlyInAnyOrder("node-a", "node-b");
  }

  @Test
  @DisplayName("presence: the members of a node that dies without a word leave every other node's view once it"
      + " expires, as left because their node went")
  void deadNodesMembersLeave() {
    Nodes.Node a = started().get(0);
    Nodes.Node c = started().get(2);
    a.connect("x");
    c.connect("x");
    awaitUntil(() -> a.server().room("x").presence().count() == 2, "node-a counts both");
    List<PresenceEvent> seen = new CopyOnWriteArrayList<>();
    Disposable watching = a.server().room("x").presence().events().subscribe(seen::add);
    try {
      stores.crash(c);

      awaitUntil(() -> a.server().room("x").presence().count() == 1, "node-c's member gone from node-a's view");
      awaitUntil(() -> seen.size() == 1, "its leave");
      assertThat(seen.get(0).type()).isEqualTo(PresenceEvent.Type.LEFT);
      assertThat(seen.get(0).member().node()).isEqualTo("node-c");
      assertThat(seen.get(0).nodeGone()).isTrue();
    } finally {
      watching.dispose();
    }
  }
}
