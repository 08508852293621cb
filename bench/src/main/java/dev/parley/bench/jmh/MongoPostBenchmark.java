package dev.parley.bench.jmh;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.parley.ChatServer;
import dev.parley.Message;
import dev.parley.store.mongo.MongoStore;
import dev.parley.store.mongo.MongoStoreConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.bson.Document;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Mono;

/**
 * Posts per second through {@code room.post} on the MongoDB store, compared with the driver's bare
 * {@code insertOne} of a message-shaped document into the same collection: one at a time, and
 * {@value #IN_FLIGHT} in flight (over {@value #IN_FLIGHT} rooms, in one room, in one room from two nodes). At
 * the end of each trial it prints the database commands an operation cost in the last iteration. The ratio
 * of a {@code post} figure to its {@code bareInsert} one is the store's overhead over a plain write.
 *
 * <p>Each benchmark runs in its own fork on a fresh database: mongo-java-server's change streams cost more
 * as its never-trimmed oplog grows. Against the in-process mongo-java-server unless the environment
 * variable {@value #URI_VARIABLE} names a real MongoDB (a replica set: the store follows change streams).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MongoPostBenchmark {
  static final int IN_FLIGHT = 8;
  static final String URI_VARIABLE = "PARLEY_MONGODB_URI";
  /** The driver's own housekeeping, which no operation causes. */
  private static final Set<String> BACKGROUND_COMMANDS = Set.of("getMore", "hello", "isMaster");

  /** One node on a fresh database, its client counting the commands it sends. */
  @State(Scope.Benchmark)
  public static class OneNode {
    private final Map<String, LongAdder> commands = new ConcurrentHashMap<>();
    private final LongAdder operations = new LongAdder();
    private final AtomicLong sequence = new AtomicLong();
    private final List<MongoClient> clients = new ArrayList<>();
    private final List<MongoStore> stores = new ArrayList<>();
    private final List<ChatServer> servers = new ArrayList<>();
    private MongoServer inProcess;
    private MongoCollection<Document> messages;
    private Map<String, Double> lastCommandsPerOperation = Map.of();

    /** How many nodes share the database. */
    int nodes() {
      return 1;
    }

    @Setup(Level.Trial)
    public void start() {
      String uri = System.getenv(URI_VARIABLE);
      if (uri == null) {
        MemoryBackend backend = new MemoryBackend();
        backend.enableOplog();
        inProcess = new MongoServer(backend);
        inProcess.bind(new InetSocketAddress("127.0.0.1", 0));
        uri = "mongodb://127.0.0.1:" + inProcess.getLocalAddress().getPort() + "/?directConnection=true";
      }
      MongoStoreConfig config = MongoStoreConfig.builder().connectionString(uri)
          .database("bench_post_" + System.nanoTime()).build();
      for (int i = 0; i < nodes(); i++) {
        MongoClient client = MongoClients.create(MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString(uri))
            .addCommandListener(new CommandListener() {
              @Override
              public void commandStarted(CommandStartedEvent event) {
                commands.computeIfAbsent(event.getCommandName(), k -> new LongAdder()).increment();
              }
            })
            .build());
        MongoStore store = new MongoStore(client, config);
        clients.add(client);
        stores.add(store);
        servers.add(ChatServer.builder().transport(new HeadlessTransport()).store(store).start());
      }
      messages = clients.get(0).getDatabase(config.database()).getCollection(config.messagesCollection());
    }

    @Setup(Level.Iteration)
    public void resetCounts() {
      commands.clear();
      operations.reset();
    }

    @TearDown(Level.Iteration)
    public void countCommands() {
      long done = Math.max(1, operations.sum());
      Map<String, Double> perOperation = new TreeMap<>();
      commands.forEach((command, count) -> {
        if (!BACKGROUND_COMMANDS.contains(command)) {
          perOperation.put(command, Math.round(count.sum() * 1000.0 / done) / 1000.0);
        }
      });
      lastCommandsPerOperation = perOperation;
    }

    @TearDown(Level.Trial)
    public void stop() {
      System.out.printf("%n%s, %d node(s): commands per operation %s%n",
          inProcess == null ? "real MongoDB" : "mongo-java-server in-process", nodes(), lastCommandsPerOperation);
      servers.forEach(ChatServer::close);
      stores.forEach(store -> store.stop().block(Duration.ofSeconds(10)));
      clients.forEach(MongoClient::close);
      if (inProcess != null) {
        inProcess.shutdownNow();
      }
    }

    /** Posts to {@code room} through node {@code node}, and waits for the stored message. */
    Message post(int node, String room) {
      long n = sequence.getAndIncrement();
      Message message = servers.get(node).room(room).post("m", Map.of("i", n)).block();
      operations.increment();
      return message;
    }

    /** Inserts a document shaped like a stored message, under its own unique key, with the bare driver. */
    Object bareInsert() {
      long n = sequence.getAndIncrement();
      Document message = new Document("ns", "/bare").append("room", "r").append("seq", n).append("event", "m")
          .append("payload", new Document("i", n)).append("createdAt", new Date());
      Object result = Mono.from(messages.insertOne(message)).block();
      operations.increment();
      return result;
    }
  }

  /** Two nodes, each with its own client and store, on one database. */
  @State(Scope.Benchmark)
  public static class TwoNodes extends OneNode {
    @Override
    int nodes() {
      return 2;
    }
  }

  /** A thread's own number, for its own room or node. */
  @State(Scope.Thread)
  public static class PerThread {
    private static final AtomicInteger THREADS = new AtomicInteger();
    final int index = THREADS.getAndIncrement();
  }

  @Benchmark
  @Threads(1)
  public Object bareInsertOneAtATime(OneNode node) {
    return node.bareInsert();
  }

  @Benchmark
  @Threads(1)
  public Message postOneAtATimeOneRoom(OneNode node) {
    return node.post(0, "one");
  }

  @Benchmark
  @Threads(IN_FLIGHT)
  public Object bareInsertInFlight(OneNode node) {
    return node.bareInsert();
  }

  @Benchmark
  @Threads(IN_FLIGHT)
  public Message postInFlightOverAsManyRooms(OneNode node, PerThread thread) {
    return node.post(0, "room-" + thread.index % IN_FLIGHT);
  }

  @Benchmark
  @Threads(IN_FLIGHT)
  public Message postInFlightOneRoom(OneNode node) {
    return node.post(0, "busy");
  }

  @Benchmark
  @Threads(IN_FLIGHT)
  public Message postInFlightOneRoomTwoNodes(TwoNodes nodes, PerThread thread) {
    return nodes.post(thread.index % 2, "shared");
  }
}
