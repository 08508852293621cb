package dev.parley.store.mongo;

import static dev.parley.test.Nodes.messageIds;
import static dev.parley.test.Nodes.until;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.Replay;
import dev.parley.test.Nodes;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import dev.parley.testsupport.TestMongo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two Parley nodes, each with its own {@link MongoStore} and client, sharing one database: a room's posts
 * reach members on both nodes in one order, emits cross between nodes once, and a client resumes on the
 * other node without a gap.
 */
class TwoNodesTest {
  private static TestMongo mongo;
  private MongoNodes stores;
  private Nodes nodes;
  private final ExecutorService pool = Executors.newFixedThreadPool(8);

  @BeforeAll
  static void startMongo() {
    mongo = TestMongo.start();
  }

  @AfterAll
  static void stopMongo() {
    mongo.close();
  }

  @BeforeEach
  void startNodes() {
    stores = new MongoNodes(MongoNodes.config(mongo).build());
    nodes = Nodes.eachWith(stores);
  }

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    try {
      nodes.closeExhausted();
    } finally {
      stores.close();
    }
  }

  @Test
  void postsFromSeveralThreadsOnBothNodesReachEveryMemberInOneOrder() throws Exception {
    Nodes.Node a = nodes.start();
    Nodes.Node b = nodes.start();
    List<TestClient> members = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      members.add(a.connect("r"));
      members.add(b.connect("r"));
    }
    // 1,000 posts, eight threads interleaving on two nodes: the order question is asked at every post.
    int threadsPerNode = 4;
    int perThread = 125;

    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<String>>> posters = new ArrayList<>();
    for (int t = 0; t < 2 * threadsPerNode; t++) {
      Nodes.Node via = t % 2 == 0 ? a : b;
      int poster = t;
      posters.add(pool.submit(() -> {
        assertThat(go.await(10, TimeUnit.SECONDS)).isTrue();
        List<String> ids = new ArrayList<>(perThread);
        for (int i = 0; i < perThread; i++) {
          ids.add(via.server().room("r").post("m", Map.of("t", poster, "i", i)).block(Timeouts.EXPECTED).id());
        }
        return ids;
      }));
    }
    go.countDown();
    Set<String> all = new HashSet<>();
    for (Future<List<String>> poster : posters) {
      List<String> ids = poster.get(60, TimeUnit.SECONDS);
      assertThat(ids).isSorted();
      all.addAll(ids);
    }
    // Posted after every other post was stored, so it comes after them all in the room's order.
    b.server().room("r").post("end", 0).block(Timeouts.EXPECTED);

    List<String> expected = all.stream().sorted().toList();
    assertThat(expected).hasSize(2 * threadsPerNode * perThread);
    for (TestClient member : members) {
      assertThat(messageIds(until(member, "end"))).isEqualTo(expected);
    }
    assertThat(a.server().room("r").history(HistoryQuery.latest(1)).blockLast(Timeouts.EXPECTED).event())
        .isEqualTo("end");
  }

  @Test
  void emitsCrossNodesExactlyOnce() {
    Nodes.Node a = nodes.start();
    Nodes.Node b = nodes.start();
    TestClient onA = a.connect("r");
    TestClient onB = b.connect("r");
    TestClient outsider = b.connect("elsewhere");
    TestClient sender = a.connect("r");

    for (int i = 0; i < 20; i++) {
      a.server().to("r").emit("from-a", i).block(Timeouts.EXPECTED);
      b.server().to("r").emit("from-b", i).block(Timeouts.EXPECTED);
    }
    // A channel's broadcast skips the sender, on its node and on the other.
    a.channel(sender).to("r").emit("from-sender", "hi").block(Timeouts.EXPECTED);

    for (TestClient member : List.of(onA, onB)) {
      List<ReceivedEvent> got = member.next(41);
      assertThat(got.stream().filter(e -> e.name().equals("from-a")).map(e -> e.arg(0).asInt()))
          .containsExactlyElementsOf(range(20));
      assertThat(got.stream().filter(e -> e.name().equals("from-b")).map(e -> e.arg(0).asInt()))
          .containsExactlyElementsOf(range(20));
      assertThat(got.stream().filter(e -> e.name().equals("from-sender"))).hasSize(1);
      member.assertNoMoreEvents();
    }
    List<ReceivedEvent> own = sender.next(40);
    assertThat(own).noneMatch(e -> e.name().equals("from-sender"));
    sender.assertNoMoreEvents();
    outsider.assertNoMoreEvents();
  }

  private static List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  @Test
  void aClientOfOneNodeResumesOnTheOtherWithEveryMissedMessageOnce() {
    Nodes.Node a = nodes.start();
    Nodes.Node b = nodes.start();
    TestClient roaming = b.connect("r");
    TestClient watcher = a.connect("r");

    List<String> posted = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      posted.add((i % 2 == 0 ? a : b).server().room("r").post("m", i).block(Timeouts.EXPECTED).id());
    }
    List<ReceivedEvent> seen = roaming.next(10);
    assertThat(messageIds(seen)).isEqualTo(posted);
    String lastSeen = seen.get(seen.size() - 1).messageId();

    roaming.drop();
    List<String> missed = new ArrayList<>();
    for (int i = 10; i < 35; i++) {
      missed.add((i % 2 == 0 ? a : b).server().room("r").post("m", i).block(Timeouts.EXPECTED).id());
    }

    TestClient back = a.connect();
    a.join(back, "r", Replay.after(lastSeen));
    Message live = b.server().room("r").post("live", 35).block(Timeouts.EXPECTED);

    List<ReceivedEvent> got = until(back, "live");
    assertThat(messageIds(got)).isEqualTo(missed);
    assertThat(got).extracting(e -> e.arg(0).asInt()).containsExactlyElementsOf(range(35).subList(10, 35));
    // A marker posted after "live": nothing (a duplicate of the replay) may come between them.
    a.server().room("r").post("marker", 36).block(Timeouts.EXPECTED);
    assertThat(back.next().name()).isEqualTo("marker");
    assertThat(messageIds(until(watcher, "live"))).hasSize(35);
    assertThat(watcher.next().name()).isEqualTo("marker");
    assertThat(live.id()).isGreaterThan(missed.get(missed.size() - 1));
  }

  @Test
  void whenOneNodeCrashesTheOtherKeepsServing() {
    Nodes.Node a = nodes.start();
    Nodes.Node b = nodes.start();
    TestClient onA = a.connect("r");
    TestClient onB = b.connect("r");
    String before = a.server().room("r").post("m", "before").block(Timeouts.EXPECTED).id();
    assertThat(onA.next().messageId()).isEqualTo(before);
    assertThat(onB.next().messageId()).isEqualTo(before);

    stores.crash(a);
    onA.drop();

    List<String> after = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      after.add(b.server().room("r").post("m", i).block(Timeouts.EXPECTED).id());
    }
    assertThat(messageIds(onB.next(5))).isEqualTo(after);
    b.server().to("r").emit("still-here").block(Timeouts.EXPECTED);
    assertThat(onB.next().name()).isEqualTo("still-here");

    // The client of the crashed node comes back on the surviving one and misses nothing.
    TestClient back = b.connect();
    b.join(back, "r", Replay.after(before));
    assertThat(messageIds(back.next(5))).isEqualTo(after);
    assertThat(b.server().room("r").history(HistoryQuery.latest(10)).map(Message::id).collectList()
        .block(Timeouts.EXPECTED)).containsExactly(before, after.get(0), after.get(1), after.get(2), after.get(3),
        after.get(4));
  }
}
