package dev.parley.bench.jmh;

import dev.parley.Message;
import dev.parley.spi.Post;
import dev.parley.store.memory.MemoryStore;
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
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.node.JsonNodeFactory;

/** The in-memory store's append, with one feed subscriber as a running server has. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StoreAppendBenchmark {
  private MemoryStore store;
  private final Post post = new Post("/", "lobby", "chat",
      JsonNodeFactory.instance.objectNode().put("from", "alice").put("text", "hello"), null);

  @Setup
  public void setUp() {
    store = new MemoryStore();
    store.feed().subscribe();
  }

  @Benchmark
  public Message memoryAppend() {
    return store.append(post).block();
  }
}
