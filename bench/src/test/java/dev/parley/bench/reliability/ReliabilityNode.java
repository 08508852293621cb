package dev.parley.bench.reliability;

import dev.parley.ChatServer;
import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.Replay;
import dev.parley.store.mongo.MongoStore;
import dev.parley.store.mongo.MongoStoreConfig;
import dev.parley.testsupport.Timeouts;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One chat node of the fault tests: the embedded Jetty host on 127.0.0.1 (WebSocket and SSE) over a
 * {@link MongoStore}. Its app: a connection whose handshake query names a {@code room} joins it, resuming
 * after the handshake's last event id ({@code Last-Event-ID}, or the {@code lastEventId} query parameter)
 * if there is one, else with the room's last 1,000 messages (every test starts on an empty database, so a
 * first join gets the room from its start, however late the join runs); {@code say(payload, ack)} posts the payload to {@link #ROOM} as event {@code m} and acks
 * {@code {"id": messageId}} once the store has it, or {@code {"error": "StoreException: ..."}} if the
 * post failed.
 *
 * <p>{@link #main} runs a node as its own process, for the test that kills one.
 */
final class ReliabilityNode implements AutoCloseable {
  /** The room every test posts to. */
  static final String ROOM = "r";
  /** The event name of posted messages. */
  static final String EVENT = "m";
  /** What {@link #main} prints once the node listens, followed by its port. */
  static final String READY = "reliability node listening on port ";

  final ChatServer server;
  final MongoStore store;

  private ReliabilityNode(ChatServer server, MongoStore store) {
    this.server = server;
    this.store = store;
  }

  /** Starts a node on a free port; blocks until it listens. */
  static ReliabilityNode start(String mongoUri, String database) {
    MongoStore store = new MongoStore(MongoStoreConfig.builder().connectionString(mongoUri).database(database)
        .build());
    ChatServer server = ChatServer.builder()
        .config(c -> c.bindAddress("127.0.0.1").port(0).shutdownTimeout(Duration.ofSeconds(10)))
        .store(store)
        .onConnection(channel -> {
          channel.handshake().query("room").ifPresent(room ->
              channel.join(room, Replay.resume(channel.handshake(), Replay.last(1_000))));
          channel.on("say", (ch, event) -> {
            JsonNode payload = event.arg(0);
            try {
              ch.namespace().room(ROOM).post(EVENT, payload).subscribe(
                  (Message stored) -> event.ack(Map.of("id", stored.id())),
                  e -> event.ack(Map.of("error", e.getClass().getSimpleName() + ": " + e.getMessage())));
            } catch (IllegalStateException closing) {
              event.ack(Map.of("error", closing.getClass().getSimpleName() + ": " + closing.getMessage()));
            }
          });
        })
        .start();
    return new ReliabilityNode(server, store);
  }

  /** The node's base address. */
  URI url() {
    return URI.create("http://127.0.0.1:" + server.address().orElseThrow().getPort());
  }

  /** Every message of {@link #ROOM}, oldest first, read page by page. */
  List<Message> history() {
    List<Message> all = new ArrayList<>();
    String after = "";
    for (int page = 0; page < 10_000; page++) {
      List<Message> next = server.room(ROOM).history(new HistoryQuery(after, null, 1_000))
          .collectList().block(Duration.ofSeconds(30));
      if (next == null || next.isEmpty()) {
        return all;
      }
      all.addAll(next);
      after = next.get(next.size() - 1).id();
    }
    throw new IllegalStateException("more than 10,000 pages of history");
  }

  /** Closes the server (gracefully), then the store it does not own. */
  @Override
  public void close() {
    server.close();
    store.stop().block(Timeouts.STEP);
  }

  /**
   * Runs a node in this process until it is killed: {@code ReliabilityNode mongoUri database}. Prints
   * {@link #READY} and the port once it listens; a SIGTERM closes it gracefully (shutdown hook), a SIGKILL
   * does not.
   */
  public static void main(String[] args) {
    ReliabilityNode node = start(args[0], args[1]);
    Runtime.getRuntime().addShutdownHook(new Thread(node::close));
    System.out.println(READY + node.server.address().orElseThrow().getPort());
    System.out.flush();
    node.server.onClose().block(Timeouts.STEP);
  }
}
