package dev.parley.test.engine;

import static dev.parley.test.Nodes.until;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Channel;
import dev.parley.Message;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.Nodes;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A room's posts reach every member exactly once, in one order (ascending ids) shared by all. */
class RoomOrderTest {
  private final Nodes nodes = Nodes.sharing(new MemoryStore());
  private final ExecutorService pool = Executors.newFixedThreadPool(10);

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    nodes.close();
  }

  /**
   * Runs {@code threads} posters at once; poster {@code t} posts {@code count} messages with
   * {@code post.apply(t)}. Returns every id, each poster's in its posting order.
   */
  private List<List<String>> postConcurrently(int threads, int count, IntFunction<Callable<Message>> post)
      throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<String>>> posters = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Callable<Message> poster = post.apply(t);
      posters.add(pool.submit(() -> {
        assertThat(go.await(10, TimeUnit.SECONDS)).isTrue();
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          ids.add(poster.call().id());
        }
        return ids;
      }));
    }
    go.countDown();
    List<List<String>> out = new ArrayList<>();
    for (Future<List<String>> poster : posters) {
      out.add(poster.get(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS));
    }
    return out;
  }

  private static List<String> sortedUnion(List<List<String>> idLists) {
    Set<String> all = new HashSet<>();
    idLists.forEach(all::addAll);
    return all.stream().sorted().toList();
  }

  private static List<String> messageIds(List<ReceivedEvent> events) {
    return events.stream().map(ReceivedEvent::messageId).toList();
  }

  @Test
  void everyMemberSeesEveryPostOnceInAscendingIdOrder() throws Exception {
    Nodes.Node node = nodes.start();
    List<TestClient> members = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      members.add(node.connect("r"));
    }

    List<List<String>> posted = postConcurrently(8, 500, t -> {
      int[] n = {0};
      return () -> node.server().room("r").post("m", Map.of("t", t, "i", n[0]++)).block(Timeouts.EXPECTED);
    });
    // A post, not an emit: posts are delivered in id order, so it comes after every one above.
    node.server().room("r").post("end", 0).block(Timeouts.EXPECTED);

    List<String> expected = sortedUnion(posted);
    assertThat(expected).hasSize(8 * 500);
    posted.forEach(ids -> assertThat(ids).isSorted());
    for (TestClient member : members) {
      assertThat(messageIds(until(member, "end"))).isEqualTo(expected);
    }
  }

  @Test
  void membersOnTwoNodesSeeTheSameOrder() throws Exception {
    Nodes.Node nodeA = nodes.start();
    Nodes.Node nodeB = nodes.start();
    List<TestClient> members = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      members.add(nodeA.connect("r"));
      members.add(nodeB.connect("r"));
    }

    List<List<String>> posted = postConcurrently(4, 250, t -> {
      Nodes.Node via = t % 2 == 0 ? nodeA : nodeB;
      return () -> via.server().room("r").post("m", t).block(Timeouts.EXPECTED);
    });
    nodeB.server().room("r").post("end", 0).block(Timeouts.EXPECTED);

    List<String> expected = sortedUnion(posted);
    assertThat(expected).hasSize(4 * 250);
    for (TestClient member : members) {
      assertThat(messageIds(until(member, "end"))).isEqualTo(expected);
    }
  }

  @Test
  void channelPostReachesEveryoneButTheSender() {
    Nodes.Node nodeA = nodes.start();
    Nodes.Node nodeB = nodes.start();
    TestClient sender = nodeA.connect("r");
    TestClient sameNode = nodeA.connect("r");
    TestClient otherNode = nodeB.connect("r");
    TestClient outsider = nodeA.connect();

    Message message = nodeA.channel(sender).post("r", "chat", "hello").block(Timeouts.EXPECTED);
    nodeA.server().emit("end");

    assertThat(message.sender()).isEqualTo(sender.id());
    assertThat(until(sender, "end")).isEmpty();
    assertThat(until(outsider, "end")).isEmpty();
    for (TestClient member : List.of(sameNode, otherNode)) {
      List<ReceivedEvent> got = until(member, "end");
      assertThat(got).singleElement().satisfies(e -> {
        assertThat(e.name()).isEqualTo("chat");
        assertThat(e.arg(0).asString()).isEqualTo("hello");
        assertThat(e.messageId()).isEqualTo(message.id());
      });
    }
  }

  @Test
  void concurrentChannelPostsReachEveryOtherMemberInOneOrder() throws Exception {
    Nodes.Node node = nodes.start();
    List<TestClient> members = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      members.add(node.connect("r"));
    }

    List<List<String>> posted = postConcurrently(10, 50, t -> {
      Channel channel = node.channel(members.get(t));
      return () -> channel.post("r", "chat", t).block(Timeouts.EXPECTED);
    });
    // A post, not an emit: posts are delivered in id order, so it comes after every one above.
    node.server().room("r").post("end", 0).block(Timeouts.EXPECTED);

    List<String> all = sortedUnion(posted);
    assertThat(all).hasSize(10 * 50);
    for (int t = 0; t < members.size(); t++) {
      Set<String> own = new HashSet<>(posted.get(t));
      List<String> others = all.stream().filter(id -> !own.contains(id)).toList();
      assertThat(messageIds(until(members.get(t), "end"))).isEqualTo(others);
    }
  }
}
