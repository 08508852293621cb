package dev.parley.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.Replay;
import dev.parley.spi.Store;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Several servers ("nodes") in one JVM, each with its own {@link InProcessTransport}, on one store: shared
 * ({@link #sharing(Store)}) or one store per node on the same data, as separate processes would have
 * ({@link #eachWith(Supplier)}). Closed together. {@link Node#connect()} returns once the client's channel is
 * registered and its connection handlers have run, so a test can address it right away.
 *
 * <pre>{@code
 * try (Nodes nodes = Nodes.sharing(new MemoryStore())) {
 *   Nodes.Node a = nodes.start();
 *   Nodes.Node b = nodes.start();
 *   TestClient client = b.connect("lobby");
 *   a.server().to("lobby").emit("hi");
 *   assertThat(client.next().name()).isEqualTo("hi");
 * }
 * }</pre>
 *
 * <p>Thread-safe for starting and closing; each node's clients are as thread-safe as {@link TestClient}.
 */
public final class Nodes implements AutoCloseable {
  private static final int UNTIL_LIMIT = 20_000;

  private final Supplier<? extends Store> stores;
  private final boolean storePerNode;
  private final List<Node> nodes = new CopyOnWriteArrayList<>();

  private Nodes(Supplier<? extends Store> stores, boolean storePerNode) {
    this.stores = stores;
    this.storePerNode = storePerNode;
  }

  /**
   * Nodes sharing {@code store}, which the caller stops.
   *
   * @return no node yet: {@link #start()} adds them
   */
  public static Nodes sharing(Store store) {
    return new Nodes(() -> store, false);
  }

  /**
   * Nodes each with its own store from {@code stores} (for example its own database client on a shared
   * database). Each node stops its store when it closes.
   *
   * @return no node yet: {@link #start()} adds them
   */
  public static Nodes eachWith(Supplier<? extends Store> stores) {
    return new Nodes(stores, true);
  }

  /** Starts a node. */
  public Node start() {
    return start(builder -> { });
  }

  /**
   * Starts a node; {@code setup} may add config and handlers.
   *
   * @return the started node, closed with the others
   */
  public Node start(Consumer<ChatServer.Builder> setup) {
    Store store = stores.get();
    InProcessTransport transport = new InProcessTransport();
    ConnectedChannels channels = new ConnectedChannels();
    ChatServer.Builder builder = ChatServer.builder().transport(transport).store(store);
    setup.accept(builder);
    // Added last, so it runs after the test's own connection handlers.
    builder.onConnection(channels);
    Node node = new Node(builder.start(), transport, store, storePerNode, channels);
    nodes.add(node);
    return node;
  }

  /**
   * Asserts that every client of every node has taken every event it received.
   *
   * @throws AssertionError naming the first client with events left over (see {@link TestClient#assertExhausted()})
   */
  public void assertExhausted() {
    for (Node node : nodes) {
      for (TestClient client : node.clients) {
        client.assertExhausted();
      }
    }
  }

  /** {@link #assertExhausted()}, then {@link #close()} whatever it found. */
  public void closeExhausted() {
    try {
      assertExhausted();
    } finally {
      close();
    }
  }

  /** Closes every node: its server, and its store if it has its own. */
  @Override
  public void close() {
    for (Node node : nodes) {
      node.close();
    }
    nodes.clear();
  }

  /**
   * Events a client receives up to (not including) the next event named {@code marker}.
   *
   * @throws AssertionError if no such event comes among the first 20,000 or within a bounded wait each
   */
  public static List<ReceivedEvent> until(TestClient client, String marker) {
    List<ReceivedEvent> events = new ArrayList<>();
    for (int i = 0; i < UNTIL_LIMIT; i++) {
      ReceivedEvent event = client.next();
      if (event.name().equals(marker)) {
        return events;
      }
      events.add(event);
    }
    throw new AssertionError("no " + marker + " event among the first " + UNTIL_LIMIT);
  }

  /** The names of the events a client receives up to the next {@code marker} (see {@link #until}). */
  public static List<String> namesUntil(TestClient client, String marker) {
    return until(client, marker).stream().map(ReceivedEvent::name).toList();
  }

  /** The message ids of events. */
  public static List<String> messageIds(List<ReceivedEvent> events) {
    return events.stream().map(ReceivedEvent::messageId).toList();
  }

  /** One node: a server with its transport and store. */
  public static final class Node {
    private final ChatServer server;
    private final InProcessTransport transport;
    private final Store store;
    private final boolean ownsStore;
    private final ConnectedChannels channels;
    private final List<TestClient> clients = new CopyOnWriteArrayList<>();

    private Node(ChatServer server, InProcessTransport transport, Store store, boolean ownsStore,
                 ConnectedChannels channels) {
      this.server = server;
      this.transport = transport;
      this.store = store;
      this.ownsStore = ownsStore;
      this.channels = channels;
    }

    /** The node's server. */
    public ChatServer server() {
      return server;
    }

    /** The node's transport. */
    public InProcessTransport transport() {
      return transport;
    }

    /** The node's store: shared with the other nodes or its own (see {@link Nodes}). */
    public Store store() {
      return store;
    }

    /**
     * Connects a client to {@code /} and waits until its channel is ready.
     *
     * @throws AssertionError if the channel does not connect within {@link Timeouts#EXPECTED}
     */
    public TestClient connect() {
      TestClient client = transport.connect("/");
      clients.add(client);
      channel(client);
      return client;
    }

    /** Connects a client and joins it to rooms, without replay. */
    public TestClient connect(String... rooms) {
      TestClient client = connect();
      for (String room : rooms) {
        join(client, room, Replay.none());
      }
      return client;
    }

    /** The server side of a client of this node, waiting for it as {@link ConnectedChannels#of} does. */
    public Channel channel(TestClient client) {
      return channels.of(client);
    }

    /** Joins a client to a room; returns once its replay, if any, is queued for it. */
    public void join(TestClient client, String room, Replay replay) {
      channel(client).join(room, replay).block(Timeouts.EXPECTED);
      assertThat(channel(client).rooms()).contains(room);
    }

    private void close() {
      server.close();
      if (ownsStore) {
        store.stop().block(Timeouts.EXPECTED);
      }
    }
  }
}
