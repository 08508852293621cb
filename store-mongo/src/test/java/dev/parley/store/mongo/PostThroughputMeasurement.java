package dev.parley.store.mongo;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.parley.ChatServer;
import dev.parley.test.InProcessTransport;
import dev.parley.testsupport.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Measures, and prints (never asserts): posts per second through {@code room.post} compared with bare
 * driver {@code insertOne} of the same documents into the same collection, and the database commands a
 * post costs. Each figure gets a fresh server (mongo-java-server's change streams cost grows with its
 * never-trimmed oplog), with the node(s) running, a warm-up of {@value #WARM_UP} operations, then
 * {@value #COUNT} measured ones. Not part of the normal build (the name does not end in Test); run with
 * {@code mvn -pl store-mongo verify -Dtest=PostThroughputMeasurement -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class PostThroughputMeasurement {
  private static final int WARM_UP = 500;
  private static final int COUNT = 2_000;
  private static final int CONCURRENCY = 8;

  /** One node (or two), with a client that counts the commands it sends. */
  private static final class Setup implements AutoCloseable {
    final TestMongo mongo = TestMongo.start();
    final Map<String, AtomicLong> commands = new ConcurrentHashMap<>();
    final List<MongoClient> clients = new ArrayList<>();
    final List<MongoStore> stores = new ArrayList<>();
    final List<ChatServer> servers = new ArrayList<>();
    final MongoCollection<Document> messages;

    Setup(int nodes) {
      MongoStoreConfig config = MongoStoreConfig.builder().database(mongo.newDatabase()).build();
      for (int i = 0; i < nodes; i++) {
        MongoClient client = MongoClients.create(MongoClientSettings.builder()
            .applyConnectionString(new ConnectionString(mongo.connectionString()))
            .addCommandListener(new CommandListener() {
              @Override
              public void commandStarted(CommandStartedEvent event) {
                commands.computeIfAbsent(event.getCommandName(), k -> new AtomicLong()).incrementAndGet();
              }
            })
            .build());
        MongoStore store = new MongoStore(client, config);
        clients.add(client);
        stores.add(store);
        servers.add(ChatServer.builder().transport(new InProcessTransport()).store(store).start());
      }
      messages = clients.get(0).getDatabase(config.database()).getCollection("messages");
    }

    @Override
    public void close() {
      servers.forEach(ChatServer::close);
      stores.forEach(s -> s.stop().block(Duration.ofSeconds(10)));
      clients.forEach(MongoClient::close);
      mongo.close();
    }
  }

  private record Figure(String name, double perSecond, Map<String, Double> commandsPerOp) {
  }

  private static Figure measure(String name, int nodes, BiFunction<Setup, Integer, Flux<?>> run) {
    try (Setup setup = new Setup(nodes)) {
      run.apply(setup, -WARM_UP).blockLast(Duration.ofMinutes(2));
      setup.commands.clear();
      long start = System.nanoTime();
      run.apply(setup, 0).blockLast(Duration.ofMinutes(2));
      double rate = COUNT / ((System.nanoTime() - start) / 1e9);
      Map<String, Double> perOp = new TreeMap<>();
      setup.commands.forEach((command, count) -> {
        if (!command.equals("getMore") && !command.equals("hello") && !command.equals("isMaster")) {
          perOp.put(command, Math.round(count.get() * 1000.0 / COUNT) / 1000.0);
        }
      });
      return new Figure(name, rate, perOp);
    }
  }

  /** {@code COUNT} (or, when {@code offset} is negative, {@code -offset}) operation numbers. */
  private static Flux<Integer> numbers(int offset) {
    return offset < 0 ? Flux.range(1_000_000, -offset) : Flux.range(0, COUNT);
  }

  /** A document shaped like a stored message, under its own unique key. */
  private static Document bareMessage(int i) {
    return new Document("ns", "/bare").append("room", "r").append("seq", (long) i).append("event", "m")
        .append("payload", new Document("i", i)).append("createdAt", new Date());
  }

  @Test
  void postsPerSecondComparedWithBareInserts() {
    List<Figure> figures = List.of(
        measure("bare insertOne, one at a time", 1, (s, o) -> numbers(o)
            .concatMap(i -> Mono.from(s.messages.insertOne(bareMessage(i))))),
        measure("room.post, one at a time, one room", 1, (s, o) -> numbers(o)
            .concatMap(i -> s.servers.get(0).room("one").post("m", Map.of("i", i)))),
        measure("bare insertOne, " + CONCURRENCY + " in flight", 1, (s, o) -> numbers(o)
            .flatMap(i -> Mono.from(s.messages.insertOne(bareMessage(i))), CONCURRENCY)),
        measure("room.post, " + CONCURRENCY + " in flight over " + CONCURRENCY + " rooms", 1, (s, o) -> numbers(o)
            .flatMap(i -> s.servers.get(0).room("room-" + (i % CONCURRENCY)).post("m", Map.of("i", i)), CONCURRENCY)),
        measure("room.post, " + CONCURRENCY + " in flight, one room", 1, (s, o) -> numbers(o)
            .flatMap(i -> s.servers.get(0).room("busy").post("m", Map.of("i", i)), CONCURRENCY)),
        measure("room.post, " + CONCURRENCY + " in flight, one room, two nodes", 2, (s, o) -> numbers(o)
            .flatMap(i -> s.servers.get(i % 2).room("shared").post("m", Map.of("i", i)), CONCURRENCY)));

    System.out.printf("%n== store-mongo throughput: %s, %d measured operations per figure ==%n",
        figures.isEmpty() ? "" : TestMongo.start().isReal() ? "real MongoDB" : "mongo-java-server in-process", COUNT);
    for (Figure figure : figures) {
      System.out.printf("%-52s %7.0f/s   commands per operation %s%n", figure.name(), figure.perSecond(),
          figure.commandsPerOp());
    }
    System.out.printf("ratio room.post / bare insertOne, one at a time: %.2f%n",
        figures.get(1).perSecond() / figures.get(0).perSecond());
    System.out.printf("ratio room.post over %d rooms / bare insertOne, %d in flight: %.2f%n", CONCURRENCY,
        CONCURRENCY, figures.get(3).perSecond() / figures.get(2).perSecond());
  }
}
