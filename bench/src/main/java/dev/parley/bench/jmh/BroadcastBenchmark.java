package dev.parley.bench.jmh;

import dev.parley.ChatServer;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.spi.Connection;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Session;
import dev.parley.store.memory.MemoryStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * A broadcast to a room of 10,000 in-process channels whose connections complete every write at once:
 * the engine's fan-out (targeting, outbox, one shared encoding) without any network.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BroadcastBenchmark {
  private static final int CHANNELS = 10_000;
  private final AtomicLong written = new AtomicLong();
  private ChatServer server;

  @Setup(Level.Trial)
  public void setUp() throws InterruptedException {
    HeadlessTransport transport = new HeadlessTransport();
    server = ChatServer.builder().transport(transport).store(new MemoryStore())
        .config(c -> c.virtualThreads(false))
        .onConnection(channel -> channel.join("lobby"))
        .start();
    for (int i = 0; i < CHANNELS; i++) {
      Session session = transport.context.open(new CountingConnection(), ConnectionInfo.of("bench", "local"));
      session.receive(new Packet.Connect("/", null));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (server.room("lobby").members().size() < CHANNELS && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    server.close();
  }

  @Benchmark
  public long broadcastTo10kChannels() {
    server.to("lobby").emit("chat", "hello everyone");
    return written.get();
  }

  private final class CountingConnection implements Connection {
    @Override
    public void write(List<Outgoing> batch, WriteCallback done) {
      written.addAndGet(batch.size());
      done.written();
    }

    @Override
    public void close(DisconnectReason reason) {
    }
  }
}
