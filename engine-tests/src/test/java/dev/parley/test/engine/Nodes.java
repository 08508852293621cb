package dev.parley.test.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.Replay;
import dev.parley.spi.Store;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.ConnectedChannels;
import dev.parley.test.InProcessTransport;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Servers ("nodes") sharing one store (a {@link MemoryStore} unless given), each with its own in-process transport, closed
 * together. {@link Node#connect()} returns once the client's channel is registered and its connection
 * handlers have run, so a test can address it right away.
 */
final class Nodes implements AutoCloseable {
  private final Store store;
  private final List<Node> nodes = new CopyOnWriteArrayList<>();

  Nodes() {
    this(new MemoryStore());
  }

  /** Nodes sharing {@code store}, which the caller closes. */
  Nodes(Store store) {
    this.store = store;
  }

  Store store() {
    return store;
  }

  Node start() {
    return start(builder -> { });
  }

  /** Starts a node on the shared store; {@code setup} may add config and handlers. */
  Node start(Consumer<ChatServer.Builder> setup) {
    InProcessTransport transport = new InProcessTransport();
    ConnectedChannels channels = new ConnectedChannels();
    ChatServer.Builder builder = ChatServer.builder().transport(transport).store(store);
    setup.accept(builder);
    // Added last, so it runs after the test's own connection handlers.
    builder.onConnection(channels);
    Node node = new Node(builder.start(), transport, channels);
    nodes.add(node);
    return node;
  }


  @Override
  public void close() {
    for (Node node : nodes) {
      node.server.close();
    }
    nodes.clear();
  }

  /** Events a client receives up to (not including) the next event named {@code marker}; at most 10,000. */
  static List<ReceivedEvent> until(TestClient client, String marker) {
    List<ReceivedEvent> events = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ReceivedEvent event = client.next();
      if (event.name().equals(marker)) {
        return events;
      }
      events.add(event);
    }
    throw new AssertionError("no " + marker + " event among the first 10,000");
  }

  /** Event names a client receives up to the next {@code marker}. */
  static List<String> namesUntil(TestClient client, String marker) {
    return until(client, marker).stream().map(ReceivedEvent::name).toList();
  }

  /** One server with its transport. */
  static final class Node {
    final ChatServer server;
    final InProcessTransport transport;
    private final ConnectedChannels channels;

    private Node(ChatServer server, InProcessTransport transport, ConnectedChannels channels) {
      this.server = server;
      this.transport = transport;
      this.channels = channels;
    }

    /** Connects a client to {@code /} and waits until its channel is ready. */
    TestClient connect() {
      TestClient client = transport.connect("/");
      channel(client);
      return client;
    }

    /** Connects a client and joins it to rooms (no replay). */
    TestClient connect(String... rooms) {
      TestClient client = connect();
      for (String room : rooms) {
        join(client, room, Replay.none());
      }
      return client;
    }

    /** The server side of a client of this node. */
    Channel channel(TestClient client) {
      return channels.of(client);
    }

    /** Joins a client to a room and waits until the replay, if any, is queued for it. */
    void join(TestClient client, String room, Replay replay) {
      channel(client).join(room, replay).block(Timeouts.EXPECTED);
      assertThat(channel(client).rooms()).contains(room);
    }
  }
}
