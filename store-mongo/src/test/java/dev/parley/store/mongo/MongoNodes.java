package dev.parley.store.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.Replay;
import dev.parley.test.ConnectedChannels;
import dev.parley.test.InProcessTransport;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import dev.parley.testsupport.TestMongo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Parley nodes in this JVM, each a {@link ChatServer} with its own in-process transport and its own
 * {@link MongoStore} (its own {@link MongoClient}) on one shared database, as separate processes would be.
 */
final class MongoNodes implements AutoCloseable {
  private final MongoStoreConfig config;
  private final List<Node> nodes = new CopyOnWriteArrayList<>();

  MongoNodes(MongoStoreConfig config) {
    this.config = config;
  }

  /** A config on a new database of {@code mongo}. */
  static MongoStoreConfig.Builder config(TestMongo mongo) {
    return MongoStoreConfig.builder().connectionString(mongo.connectionString()).database(mongo.newDatabase());
  }

  /** Starts a node. */
  Node start() {
    MongoClient client = MongoClients.create(config.connectionString());
    MongoStore store = new MongoStore(client, config);
    InProcessTransport transport = new InProcessTransport();
    ConnectedChannels channels = new ConnectedChannels();
    ChatServer server = ChatServer.builder().transport(transport).store(store)
        .onConnection(channels)
        .start();
    Node node = new Node(server, transport, store, client, channels);
    nodes.add(node);
    return node;
  }


  /** Asserts that every client of every node has taken every event it received (see {@link TestClient#assertExhausted}). */
  void assertExhausted() {
    for (Node node : nodes) {
      for (TestClient client : node.clients) {
        client.assertExhausted();
      }
    }
  }

  /** {@link #assertExhausted()}, then {@link #close()} whatever it found. */
  void closeExhausted() {
    try {
      assertExhausted();
    } finally {
      close();
    }
  }

  @Override
  public void close() {
    for (Node node : nodes) {
      node.close();
    }
    nodes.clear();
  }

  /** Events a client receives up to (not including) the next event named {@code marker}; at most 20,000. */
  static List<ReceivedEvent> until(TestClient client, String marker) {
    List<ReceivedEvent> events = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      ReceivedEvent event = client.next();
      if (event.name().equals(marker)) {
        return events;
      }
      events.add(event);
    }
    throw new AssertionError("no " + marker + " event among the first 20,000");
  }

  /** The message ids of events. */
  static List<String> messageIds(List<ReceivedEvent> events) {
    return events.stream().map(ReceivedEvent::messageId).toList();
  }

  /** One node: server, transport, store and the store's client. */
  static final class Node {
    final ChatServer server;
    final InProcessTransport transport;
    final MongoStore store;
    final MongoClient client;
    private final ConnectedChannels channels;
    private final List<TestClient> clients = new CopyOnWriteArrayList<>();
    private boolean closed;

    private Node(ChatServer server, InProcessTransport transport, MongoStore store, MongoClient client,
                 ConnectedChannels channels) {
      this.server = server;
      this.transport = transport;
      this.store = store;
      this.client = client;
      this.channels = channels;
    }

    /** Connects a client to {@code /} and joins it to rooms, without replay. */
    TestClient connect(String... rooms) {
      TestClient client = transport.connect("/");
      clients.add(client);
      for (String room : rooms) {
        join(client, room, Replay.none());
      }
      return client;
    }

    /** The server side of a client of this node. */
    Channel channel(TestClient client) {
      return channels.of(client);
    }

    /** Joins a client to a room; returns once its replay, if any, is queued for it. */
    void join(TestClient client, String room, Replay replay) {
      channel(client).join(room, replay).block(Timeouts.EXPECTED);
      assertThat(channel(client).rooms()).contains(room);
    }

    /**
     * Kills the node as a crash would: its database connections drop at once (change streams included)
     * and its clients lose their connections without a word.
     */
    void crash() {
      client.close();
      closed = true;
    }

    void close() {
      server.close();
      store.stop().block(Timeouts.EXPECTED);
      if (!closed) {
        client.close();
        closed = true;
      }
    }
  }
}
