package dev.parley.bench.jmh;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.parley.Message;
import dev.parley.spi.Post;
import dev.parley.store.mongo.MongoStore;
import dev.parley.store.mongo.MongoStoreConfig;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The MongoDB store's append against mongo-java-server in this JVM (oplog on, over loopback TCP, the
 * official reactive driver), with the change-stream feed subscribed as a running server has it. The
 * in-process server is not mongod: the figure is the store's own cost plus one wire round trip, not a
 * database's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MongoAppendBenchmark {
  private final Post post = new Post("/", "lobby", "chat",
      JsonNodeFactory.instance.objectNode().put("from", "alice").put("text", "hello"), null);
  private MongoServer server;
  private MongoStore store;

  @Setup
  public void setUp() {
    MemoryBackend backend = new MemoryBackend();
    backend.enableOplog();
    server = new MongoServer(backend);
    server.bind(new InetSocketAddress("127.0.0.1", 0));
    InetSocketAddress address = server.getLocalAddress();
    store = new MongoStore(MongoStoreConfig.builder()
        .connectionString("mongodb://127.0.0.1:" + address.getPort() + "/?directConnection=true")
        .database("bench").build());
    store.start().block();
    store.feed().subscribe();
  }

  @TearDown
  public void tearDown() {
    store.stop().block();
    server.shutdownNow();
  }

  @Benchmark
  public Message mongoAppend() {
    return store.append(post).block();
  }
}
