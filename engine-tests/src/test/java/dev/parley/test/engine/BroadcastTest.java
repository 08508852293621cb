package dev.parley.test.engine;

import static dev.parley.test.Nodes.namesUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.store.memory.MemoryStore;
import dev.parley.test.Nodes;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Whom an emit reaches. Each check ends with a marker sent to every client: what a client received
 * before the marker is exactly what the emit under test gave it (one session's packets stay in order),
 * so "nothing" and "exactly once" need no waiting.
 */
class BroadcastTest {
  private final Nodes nodes = Nodes.sharing(new MemoryStore());

  @AfterEach
  void close() {
    nodes.close();
  }

  @Nested
  class OneNode {
    private final Nodes.Node node = nodes.start();
    private final TestClient a1 = node.connect("a");
    private final TestClient a2 = node.connect("a");
    private final TestClient b1 = node.connect("b");
    private final TestClient ab = node.connect("a", "b");
    private final TestClient none = node.connect();

    /** What each of a1, a2, b1, ab, none received before the marker. */
    private List<List<String>> received() {
      node.server().emit("marker");
      List<List<String>> out = new ArrayList<>();
      for (TestClient client : List.of(a1, a2, b1, ab, none)) {
        out.add(namesUntil(client, "marker"));
      }
      return out;
    }

    private static List<List<String>> expect(int a1, int a2, int b1, int ab, int none) {
      List<List<String>> out = new ArrayList<>();
      for (int n : new int[] {a1, a2, b1, ab, none}) {
        out.add(n == 1 ? List.of("hi") : List.of());
      }
      return out;
    }

    @Test
    void toRoomReachesExactlyItsMembers() {
      node.server().to("a").emit("hi", 1);

      assertThat(received()).isEqualTo(expect(1, 1, 0, 1, 0));
    }

    @Test
    void roomEmitCarriesTheArguments() {
      node.server().room("b").emit("hi", "text", 2, true);

      ReceivedEvent event = b1.next();
      assertThat(event.name()).isEqualTo("hi");
      assertThat(event.args()).extracting(Object::toString).containsExactly("\"text\"", "2", "true");
      assertThat(event.messageId()).isNull();
    }

    @Test
    void twoRoomsReachTheUnionOnceEach() {
      node.server().to("a").to("b").emit("hi");

      assertThat(received()).isEqualTo(expect(1, 1, 1, 1, 0));
    }

    @Test
    void emitToEveryoneReachesEveryChannel() {
      node.server().emit("hi");

      assertThat(received()).isEqualTo(expect(1, 1, 1, 1, 1));
    }

    @Test
    void exceptRoomExcludesItsMembers() {
      node.server().except("b").emit("hi");

      assertThat(received()).isEqualTo(expect(1, 1, 0, 0, 1));
    }

    @Test
    void toAndExceptCombine() {
      node.server().to("a").except("b").emit("hi");

      assertThat(received()).isEqualTo(expect(1, 1, 0, 0, 0));
    }

    @Test
    void exceptChannelExcludesThatChannel() {
      node.server().to("a").except(node.channel(a1)).emit("hi");

      assertThat(received()).isEqualTo(expect(0, 1, 0, 1, 0));
    }

    @Test
    void exceptChannelIdExcludesThatChannel() {
      node.server().except(ab.id()).emit("hi");

      assertThat(received()).isEqualTo(expect(1, 1, 1, 0, 1));
    }

    @Test
    void channelBroadcastReachesAllButTheSender() {
      node.channel(b1).broadcast().emit("hi");

      assertThat(received()).isEqualTo(expect(1, 1, 0, 1, 1));
    }

    @Test
    void channelToRoomExcludesTheSender() {
      node.channel(a1).to("a").emit("hi");

      assertThat(received()).isEqualTo(expect(0, 1, 0, 1, 0));
    }

    @Test
    void toChannelIdReachesOneClient() {
      node.server().to(none.id()).emit("hi");

      assertThat(received()).isEqualTo(expect(0, 0, 0, 0, 1));
    }

    @Test
    void leftRoomNoLongerReceives() {
      node.channel(ab).leave("a").block(Duration.ofSeconds(10));

      node.server().to("a").emit("hi");

      assertThat(received()).isEqualTo(expect(1, 1, 0, 0, 0));
    }

    @Test
    void emitToARoomWithoutMembersReachesNobody() {
      node.server().to("empty").emit("hi");

      assertThat(received()).isEqualTo(expect(0, 0, 0, 0, 0));
    }
  }

  @Test
  void broadcastToFiftyChannelsIsEncodedOnce() {
    Nodes.Node node = nodes.start();
    List<TestClient> clients = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      clients.add(node.connect("big"));
    }

    long before = node.transport().encodeCount();
    node.server().to("big").emit("hi", "once");
    for (TestClient client : clients) {
      assertThat(client.next().name()).isEqualTo("hi");
    }
    assertThat(node.transport().encodeCount() - before).isEqualTo(1);

    // The counter does count per packet: 50 separate emits are 50 encodings.
    long beforeSeparate = node.transport().encodeCount();
    for (TestClient client : clients) {
      node.channel(client).emit("hi", "each");
    }
    for (TestClient client : clients) {
      assertThat(client.next().arg(0).asString()).isEqualTo("each");
    }
    assertThat(node.transport().encodeCount() - beforeSeparate).isEqualTo(50);
  }

  @Nested
  class TwoNodes {
    private final Nodes.Node nodeA = nodes.start();
    private final Nodes.Node nodeB = nodes.start();
    private final TestClient a1 = nodeA.connect("r");
    private final TestClient a2 = nodeA.connect("r");
    private final TestClient aOut = nodeA.connect();
    private final TestClient b1 = nodeB.connect("r");
    private final TestClient b2 = nodeB.connect("r");
    private final TestClient bOut = nodeB.connect();

    /** What a1, a2, aOut, b1, b2, bOut received before a marker emitted from node A to everyone. */
    private List<List<String>> received() {
      nodeA.server().emit("marker");
      List<List<String>> out = new ArrayList<>();
      for (TestClient client : List.of(a1, a2, aOut, b1, b2, bOut)) {
        out.add(namesUntil(client, "marker"));
      }
      return out;
    }

    private static List<List<String>> expect(int... counts) {
      List<List<String>> out = new ArrayList<>();
      for (int n : counts) {
        out.add(n == 1 ? List.of("hi") : List.of());
      }
      return out;
    }

    @Test
    void roomEmitReachesMembersOnBothNodesExactlyOnce() {
      nodeA.server().to("r").emit("hi");

      assertThat(received()).isEqualTo(expect(1, 1, 0, 1, 1, 0));
    }

    @Test
    void eachNodeEncodesTheBroadcastOnce() {
      long beforeA = nodeA.transport().encodeCount();
      long beforeB = nodeB.transport().encodeCount();

      nodeA.server().to("r").emit("hi");
      for (TestClient client : List.of(a1, a2, b1, b2)) {
        assertThat(client.next().name()).isEqualTo("hi");
      }

      assertThat(nodeA.transport().encodeCount() - beforeA).isEqualTo(1);
      assertThat(nodeB.transport().encodeCount() - beforeB).isEqualTo(1);
    }

    @Test
    void emitFromNodeBReachesNodeA() {
      nodeB.server().to("r").emit("hi");

      assertThat(received()).isEqualTo(expect(1, 1, 0, 1, 1, 0));
    }

    @Test
    void localEmitStaysOnItsNode() {
      nodeA.server().to("r").local().emit("hi");

      assertThat(received()).isEqualTo(expect(1, 1, 0, 0, 0, 0));
    }

    @Test
    void localEmitToEveryoneStaysOnItsNode() {
      nodeB.server().namespace().to("r").local().emit("hi");
      nodeB.server().except("r").local().emit("hi");

      assertThat(received()).isEqualTo(expect(0, 0, 0, 1, 1, 1));
    }

    @Test
    void exceptChannelOfAnotherNodeExcludesIt() {
      nodeA.server().to("r").except(nodeB.channel(b1)).emit("hi");

      assertThat(received()).isEqualTo(expect(1, 1, 0, 0, 1, 0));
    }

    @Test
    void channelBroadcastReachesBothNodesButNotTheSender() {
      nodeA.channel(a1).broadcast().emit("hi");

      assertThat(received()).isEqualTo(expect(0, 1, 1, 1, 1, 1));
    }

    @Test
    void emitToAChannelIdOnAnotherNodeReachesIt() {
      nodeA.server().to(bOut.id()).emit("hi");

      assertThat(received()).isEqualTo(expect(0, 0, 0, 0, 0, 1));
    }
  }
}
