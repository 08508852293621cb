package dev.parley.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.BroadcastAckException;
import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.Namespace;
import dev.parley.Presence;
import dev.parley.PresenceEvent;
import dev.parley.PresenceMember;
import dev.parley.RemoteChannel;
import dev.parley.Reply;
import dev.parley.error.ClusterException;
import dev.parley.protocol.DisconnectReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The contract of operations across nodes, which a store's bus must carry: three nodes on one store, and every
 * operation gives the answer it would give on one node with all their channels. Subclass it with
 * {@link #nodes()} returning nodes on the store under test:
 *
 * <pre>{@code
 * class MyStoreClusterTest extends ClusterContractTest {
 *   protected Nodes nodes() {
 *     return Nodes.sharing(new MyStore());
 *   }
 * }
 * }</pre>
 *
 * <p>The nodes run with short cluster timings ({@link #setup}): a heartbeat every 200 ms, gone after 2 s unheard,
 * operations waiting 3 s.
 */
public abstract class ClusterContractTest {
  private static final Duration OPERATION = Duration.ofSeconds(3);

  private Nodes nodes;
  private Nodes.Node a;
  private Nodes.Node b;
  private Nodes.Node c;

  /** Nodes on the store under test, none started yet; the test closes them. */
  protected abstract Nodes nodes();

  /**
   * The setup of every node: the cluster timings named above, the node id, presence tracked in {@code /}, a
   * principal named {@code <node id>-user} for every client, and the node id in each channel's data.
   */
  protected Consumer<ChatServer.Builder> setup(String nodeId) {
    return builder -> builder
        .config(config -> config.nodeId(nodeId).clusterHeartbeat(Duration.ofMillis(200))
            .clusterNodeTimeout(Duration.ofSeconds(2)).clusterTimeout(OPERATION))
        .namespace("/", Namespace::trackPresence)
        .use(handshake -> handshake.withPrincipal(() -> nodeId + "-user"))
        .onConnection(channel -> channel.data().put("node", nodeId));
  }

  @BeforeEach
  void startThree() {
    nodes = nodes();
    a = nodes.start(setup("node-a"));
    b = nodes.start(setup("node-b"));
    c = nodes.start(setup("node-c"));
    for (Nodes.Node node : List.of(a, b, c)) {
      awaitUntil(() -> node.server().nodes().size() == 3, node.server().config().nodeId() + " knows all three");
    }
  }

  @AfterEach
  void close() {
    nodes.close();
  }

  /** The three nodes, started and knowing each other: node-a, node-b, node-c. */
  protected List<Nodes.Node> started() {
    return List.of(a, b, c);
  }

  /** Polls {@code condition} until it holds, for at most {@link Timeouts#EXPECTED}. */
  protected static void awaitUntil(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Timeouts.EXPECTED.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + Timeouts.EXPECTED.toSeconds() + " s: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting: " + what, e);
      }
    }
  }

  @Test
  @DisplayName("every node knows every node, itself included")
  void everyNodeKnowsEveryNode() {
    for (Nodes.Node node : List.of(a, b, c)) {
      assertThat(node.server().nodes()).containsExactlyInAnyOrder("node-a", "node-b", "node-c");
    }
  }

  @Test
  @DisplayName("join: a room's members on every node join another room, and a broadcast to it reaches them all")
  void joinAcrossNodes() {
    TestClient onA = a.connect("x");
    TestClient onB = b.connect("x");
    TestClient onC = c.connect();

    a.server().to("x").join("y").block(Timeouts.EXPECTED);

    assertThat(a.channel(onA).rooms()).contains("y");
    assertThat(b.channel(onB).rooms()).contains("y");
    assertThat(c.channel(onC).rooms()).doesNotContain("y");
    c.server().to("y").emit("hi").block(Timeouts.EXPECTED);
    assertThat(onA.next().name()).isEqualTo("hi");
    assertThat(onB.next().name()).isEqualTo("hi");
    onC.assertNoMoreEvents();
  }

  @Test
  @DisplayName("leave: every node's selected channels leave the room; others stay in it")
  void leaveAcrossNodes() {
    TestClient onA = a.connect("x", "y");
    TestClient onB = b.connect("x", "y");
    TestClient onC = c.connect("y");

    b.server().to("x").leave("y").block(Timeouts.EXPECTED);

    assertThat(a.channel(onA).rooms()).contains("x").doesNotContain("y");
    assertThat(b.channel(onB).rooms()).contains("x").doesNotContain("y");
    assertThat(c.channel(onC).rooms()).contains("y");
  }

  @Test
  @DisplayName("disconnect: the selected channels on every node are disconnected, with except honoured")
  void disconnectAcrossNodes() {
    TestClient onA = a.connect("x");
    TestClient onB = b.connect("x");
    TestClient spared = c.connect("x", "vip");
    TestClient outside = c.connect();

    c.server().to("x").except("vip").disconnect().block(Timeouts.EXPECTED);

    assertThat(onA.awaitDisconnect()).isEqualTo(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    assertThat(onB.awaitDisconnect()).isEqualTo(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    assertThat(spared.isConnected()).isTrue();
    assertThat(outside.isConnected()).isTrue();
  }

  @Test
  @DisplayName("fetchChannels: every node's selected channels, with their node, rooms, handshake and data")
  void fetchAcrossNodes() {
    TestClient onA = a.connect("x");
    TestClient onB = b.connect("x");
    TestClient onC = c.connect("x", "muted");
    TestClient outside = c.connect();

    List<RemoteChannel> all = b.server().to("x").fetchChannels().block(Timeouts.EXPECTED);
    List<RemoteChannel> unmuted = b.server().to("x").except("muted").fetchChannels().block(Timeouts.EXPECTED);
    List<RemoteChannel> everyone = b.server().namespace().broadcast().fetchChannels().block(Timeouts.EXPECTED);

    assertThat(all).extracting(RemoteChannel::id).containsExactlyInAnyOrder(onA.id(), onB.id(), onC.id());
    assertThat(unmuted).extracting(RemoteChannel::id).containsExactlyInAnyOrder(onA.id(), onB.id());
    assertThat(everyone).extracting(RemoteChannel::id)
        .containsExactlyInAnyOrder(onA.id(), onB.id(), onC.id(), outside.id());
    Map<String, RemoteChannel> byId = all.stream().collect(Collectors.toMap(RemoteChannel::id, r -> r));
    RemoteChannel fromC = byId.get(onC.id());
    assertThat(fromC.node()).isEqualTo("node-c");
    assertThat(fromC.rooms()).containsExactlyInAnyOrder(onC.id(), "x", "muted");
    assertThat(fromC.data().path("node").asString()).isEqualTo("node-c");
    assertThat(fromC.handshake().transport()).isEqualTo(c.channel(onC).handshake().transport());
    assertThat(fromC.handshake().remoteAddress()).isEqualTo(c.channel(onC).handshake().remoteAddress());
    assertThat(byId.get(onB.id()).node()).isEqualTo("node-b");
    assertThat(byId.get(onA.id()).data().path("node").asString()).isEqualTo("node-a");
  }

  @Test
  @DisplayName("a fetched channel is acted on where it is: emit, join, leave, disconnect")
  void actOnFetchedChannel() {
    TestClient target = c.connect("x");
    TestClient bystander = b.connect("x");
    RemoteChannel remote = a.server().to("x").fetchChannels().block(Timeouts.EXPECTED).stream()
        .filter(r -> r.id().equals(target.id())).findFirst().orElseThrow();

    remote.emit("direct", 1).block(Timeouts.EXPECTED);
    assertThat(target.next().name()).isEqualTo("direct");
    bystander.assertNoMoreEvents();

    remote.join("z").block(Timeouts.EXPECTED);
    assertThat(c.channel(target).rooms()).contains("z");
    remote.leave("x").block(Timeouts.EXPECTED);
    assertThat(c.channel(target).rooms()).doesNotContain("x");
    assertThat(b.channel(bystander).rooms()).contains("x");

    remote.disconnect().block(Timeouts.EXPECTED);
    assertThat(target.awaitDisconnect()).isEqualTo(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    assertThat(bystander.isConnected()).isTrue();
  }

  @Test
  @DisplayName("emitWithAck on a broadcast gathers every selected client's reply, on every node")
  void emitWithAckAcrossNodes() {
    List<TestClient> clients = List.of(a.connect("x"), b.connect("x"), c.connect("x"));
    for (TestClient client : clients) {
      client.respond("poll", args -> new Object[] {args.get(0).asInt() + 1, client.id()});
    }
    TestClient outside = c.connect();

    List<Reply> replies = b.server().to("x").emitWithAck("poll", 41).block(Timeouts.EXPECTED);

    assertThat(replies).extracting(Reply::from)
        .containsExactlyInAnyOrderElementsOf(clients.stream().map(TestClient::id).toList());
    assertThat(replies).allSatisfy(reply -> {
      assertThat(reply.arg(0, Integer.class)).isEqualTo(42);
      assertThat(reply.arg(1, String.class)).isEqualTo(reply.from());
    });
    outside.assertNoMoreEvents();
  }

  @Test
  @DisplayName("emitWithAck: a client that does not answer in time fails it, with the replies that came")
  void emitWithAckTimeout() {
    TestClient quick = a.connect("x").respond("poll", args -> new Object[] {"yes"});
    TestClient mute = c.connect("x");

    assertThatThrownBy(() -> b.server().to("x").timeout(Duration.ofMillis(300)).emitWithAck("poll")
        .block(Timeouts.EXPECTED))
        .isInstanceOf(BroadcastAckException.class)
        .satisfies(e -> {
          BroadcastAckException error = (BroadcastAckException) e;
          assertThat(error.replies()).extracting(Reply::from).containsExactly(quick.id());
          assertThat(error.missing()).isEqualTo(1);
          assertThat(error.silentNodes()).isEmpty();
        });
    assertThat(mute.next().name()).isEqualTo("poll");
  }

  @Test
  @DisplayName("droppable(): a client with something still queued for it misses the emit; the others get it")
  void droppableSkipsBusyClients() {
    TestClient busy = b.connect("x");
    TestClient free = b.connect("x");
    busy.stall();
    a.server().to(busy.id()).emit("first").block(Timeouts.EXPECTED);
    // From another node, then from this one; each once nothing but the stalled client's first event is queued
    // (the free client is busy too while its last event is being written).
    BooleanSupplier onlyFirstQueued = () -> b.server().stats().queuedPackets() == 1;
    awaitUntil(onlyFirstQueued, "the first event held for the stalled client, nothing else");
    a.server().to("x").droppable().emit("typing", "from a").block(Timeouts.EXPECTED);
    assertThat(free.next().arg(0).asString()).isEqualTo("from a");
    awaitUntil(onlyFirstQueued, "the free client's event written");
    b.server().to("x").droppable().emit("typing", "from b").block(Timeouts.EXPECTED);
    assertThat(free.next().arg(0).asString()).isEqualTo("from b");
    busy.resume();
    assertThat(busy.next().name()).isEqualTo("first");
    busy.assertNoMoreEvents();
  }

  @Test
  @DisplayName("local(): only this node's channels, nothing asked of the others")
  void localStaysHere() {
    TestClient onA = a.connect("x");
    TestClient onB = b.connect("x");

    a.server().to("x").local().join("y").block(Timeouts.EXPECTED);
    List<RemoteChannel> fetched = a.server().to("x").local().fetchChannels().block(Timeouts.EXPECTED);

    assertThat(a.channel(onA).rooms()).contains("y");
    assertThat(b.channel(onB).rooms()).doesNotContain("y");
    assertThat(fetched).extracting(RemoteChannel::id).containsExactly(onA.id());
  }

  @Test
  @DisplayName("serverSideEmit reaches the other nodes' handlers, not the sender's own, nor any client")
  void serverSideEmit() {
    List<String> heard = new CopyOnWriteArrayList<>();
    for (Nodes.Node node : List.of(a, b, c)) {
      String id = node.server().config().nodeId();
      node.server().namespace().onServerEvent("refresh", event ->
          heard.add(id + " from " + event.node() + ": " + event.arg(0, String.class)));
    }
    TestClient client = b.connect();

    a.server().serverSideEmit("refresh", "lobby").block(Timeouts.EXPECTED);

    awaitUntil(() -> heard.size() == 2, "two nodes heard it");
    assertThat(heard).containsExactlyInAnyOrder("node-b from node-a: lobby", "node-c from node-a: lobby");
    client.assertNoMoreEvents();
  }

  @Test
  @DisplayName("serverSideEmitWithAck: one reply per node that answers; a node with no handler is not waited for")
  void serverSideEmitWithAck() {
    b.server().namespace().onServerEvent("count", event -> event.ack(event.arg(0, Integer.class) + 1, "node-b"));
    c.server().namespace().onServerEvent("count", event -> event.ack(event.arg(0, Integer.class) + 2, "node-c"));
    a.server().namespace().onServerEvent("count", event -> event.ack(-1));

    List<Reply> replies = a.server().serverSideEmitWithAck(OPERATION, "count", 40).block(Timeouts.EXPECTED);

    assertThat(replies).extracting(Reply::from).containsExactlyInAnyOrder("node-b", "node-c");
    assertThat(replies).allSatisfy(reply ->
        assertThat(reply.arg(1, String.class)).isEqualTo(reply.from()));
    assertThat(replies).extracting(reply -> reply.arg(0, Integer.class)).containsExactlyInAnyOrder(41, 42);

    List<Reply> none = a.server().serverSideEmitWithAck(OPERATION, "nobody-handles", 1).block(Timeouts.EXPECTED);
    assertThat(none).isEmpty();
  }

  @Test
  @DisplayName("a node whose handler does not answer in time is named in the error")
  void silentNodeIsNamed() {
    b.server().namespace().onServerEvent("slow", event -> event.ack("fine"));
    c.server().namespace().onServerEvent("slow", event -> { });

    assertThatThrownBy(() -> a.server().serverSideEmitWithAck(Duration.ofMillis(300), "slow").block(Timeouts.EXPECTED))
        .isInstanceOf(ClusterException.class)
        .satisfies(e -> {
          ClusterException error = (ClusterException) e;
          assertThat(error.silentNodes()).containsExactly("node-c");
          assertThat(error.failedNodes()).isEmpty();
          assertThat(error.getMessage()).contains("node-c").contains("300 ms");
        });
  }

  @Test
  @DisplayName("a node that closes says so: the others stop counting and waiting for it at once")
  void closedNodeIsNotWaitedFor() {
    TestClient onA = a.connect("x");
    c.server().close();

    awaitUntil(() -> a.server().nodes().equals(Set.of("node-a", "node-b")), "node-a forgets node-c");
    List<RemoteChannel> fetched = a.server().to("x").fetchChannels().block(Timeouts.EXPECTED);
    assertThat(fetched).extracting(RemoteChannel::id).containsExactly(onA.id());
  }

  // ---- presence ----

  private static void awaitCount(Nodes.Node node, String room, int count) {
    awaitUntil(() -> node.server().room(room).presence().count() == count,
        node.server().config().nodeId() + " counts " + count + " in " + room + " (it counts "
            + node.server().room(room).presence().count() + ")");
  }

  @Test
  @DisplayName("presence: every node counts and lists a room's members on every node, in pages by channel id")
  void presenceAcrossNodes() {
    TestClient onA = a.connect("x");
    TestClient onB = b.connect("x");
    TestClient onC = c.connect("x", "y");

    for (Nodes.Node node : List.of(a, b, c)) {
      awaitCount(node, "x", 3);
      awaitCount(node, "y", 1);
    }
    Presence x = b.server().room("x").presence();
    List<PresenceMember> all = x.members(null, Presence.MAX_PAGE);
    assertThat(all).extracting(PresenceMember::channelId)
        .containsExactlyElementsOf(List.of(onA.id(), onB.id(), onC.id()).stream().sorted().toList());
    assertThat(all).allSatisfy(member -> {
      assertThat(member.room()).isEqualTo("x");
      assertThat(member.user()).isEqualTo(member.node() + "-user");
    });
    assertThat(all.stream().filter(m -> m.channelId().equals(onC.id())).findFirst().orElseThrow().node())
        .isEqualTo("node-c");
    List<PresenceMember> first = x.members(null, 2);
    List<PresenceMember> rest = x.members(first.get(1).channelId(), 2);
    assertThat(first).containsExactlyElementsOf(all.subList(0, 2));
    assertThat(rest).containsExactlyElementsOf(all.subList(2, 3));
    assertThat(b.server().room("empty").presence().count()).isZero();
    assertThatThrownBy(() -> x.members(null, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("presence: leaves and disconnects reach every node; its own room is never counted")
  void presenceLeaves() {
    a.connect("x");
    TestClient onB = b.connect("x");
    TestClient onC = c.connect("x");
    for (Nodes.Node node : List.of(a, b, c)) {
      awaitCount(node, "x", 3);
    }

    b.channel(onB).leave("x").block(Timeouts.EXPECTED);
    onC.close();

    for (Nodes.Node node : List.of(a, b, c)) {
      awaitCount(node, "x", 1);
      assertThat(node.server().room(onB.id()).presence().count()).isZero();
    }
  }

  @Test
  @DisplayName("presence events: joins and leaves on other nodes, as they happen")
  void presenceEvents() {
    List<PresenceEvent> seen = new CopyOnWriteArrayList<>();
    reactor.core.Disposable watching = a.server().room("x").presence().events().subscribe(seen::add);
    try {
      TestClient onC = c.connect("x");
      awaitUntil(() -> seen.size() == 1, "a join");
      c.channel(onC).leave("x").block(Timeouts.EXPECTED);
      awaitUntil(() -> seen.size() == 2, "a leave");

      assertThat(seen).extracting(PresenceEvent::type)
          .containsExactly(PresenceEvent.Type.JOINED, PresenceEvent.Type.LEFT);
      assertThat(seen).allSatisfy(event -> {
        assertThat(event.member().channelId()).isEqualTo(onC.id());
        assertThat(event.member().node()).isEqualTo("node-c");
        assertThat(event.nodeGone()).isFalse();
      });
    } finally {
      watching.dispose();
    }
  }

  @Test
  @DisplayName("presence: a node that closes takes its members with it, on every other node")
  void presenceOfClosedNode() {
    a.connect("x");
    c.connect("x");
    c.connect("x");
    awaitCount(a, "x", 3);
    List<PresenceEvent> seen = new CopyOnWriteArrayList<>();
    reactor.core.Disposable watching = b.server().room("x").presence().events().subscribe(seen::add);
    try {
      c.server().close();

      awaitCount(a, "x", 1);
      awaitCount(b, "x", 1);
      awaitUntil(() -> seen.size() == 2, "two leaves");
      assertThat(seen).allSatisfy(event -> {
        assertThat(event.type()).isEqualTo(PresenceEvent.Type.LEFT);
        assertThat(event.member().node()).isEqualTo("node-c");
      });
    } finally {
      watching.dispose();
    }
  }

  @Test
  @DisplayName("presence: a node that starts later learns who is already there")
  void laterNodeLearnsPresence() {
    a.connect("x");
    b.connect("x");
    awaitCount(c, "x", 2);

    Nodes.Node d = nodes.start(setup("node-d"));

    awaitCount(d, "x", 2);
    d.connect("x");
    for (Nodes.Node node : List.of(a, b, c, d)) {
      awaitCount(node, "x", 3);
    }
  }

  @Test
  @DisplayName("a node that restarts under the same id is a new node: its old members leave, its new ones count")
  void restartedNodeStartsAfresh() {
    c.connect("x");
    c.connect("x");
    awaitCount(a, "x", 2);
    c.server().close();

    Nodes.Node again = nodes.start(setup("node-c"));
    awaitUntil(() -> a.server().nodes().contains("node-c"), "node-a knows node-c again");
    again.connect("x");

    awaitCount(a, "x", 1);
    awaitCount(b, "x", 1);
    assertThat(a.server().room("x").presence().members(null, 10)).extracting(PresenceMember::node)
        .containsExactly("node-c");
  }

  @Test
  @DisplayName("a server event handler that never answers gives no reply, and its node is named")
  void handlerThatNeverAnswers() {
    b.server().namespace().onServerEvent("quiet", event -> { });
    c.server().namespace().onServerEvent("quiet", event -> event.ack("here"));

    assertThatThrownBy(() -> a.server().serverSideEmitWithAck(Duration.ofMillis(300), "quiet")
        .block(Timeouts.EXPECTED))
        .isInstanceOfSatisfying(ClusterException.class,
            e -> assertThat(e.silentNodes()).containsExactly("node-b"));
  }

  @Test
  @DisplayName("presence in a namespace that does not track it is a clear error")
  void presenceNotTracked() {
    assertThatThrownBy(() -> a.server().namespace("/untracked").room("x").presence())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("trackPresence()");
  }

  @Test
  @DisplayName("operations on a namespace another node has never had find nothing there and complete")
  void namespaceUnknownElsewhere() {
    a.server().namespace("/admin");
    TestClient admin = a.transport().connect("/admin");
    Channel channel = a.server().namespace("/admin").channels().iterator().next();

    List<RemoteChannel> fetched = a.server().namespace("/admin").broadcast().fetchChannels()
        .block(Timeouts.EXPECTED);
    a.server().namespace("/admin").broadcast().join("staff").block(Timeouts.EXPECTED);

    assertThat(fetched).extracting(RemoteChannel::id).containsExactly(admin.id());
    assertThat(channel.rooms()).contains("staff");
  }
}
