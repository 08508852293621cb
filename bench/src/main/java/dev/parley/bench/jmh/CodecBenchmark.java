package dev.parley.bench.jmh;

import dev.parley.protocol.Packet;
import dev.parley.protocol.socketio.Peer;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.protocol.socketio.WireFrame;
import dev.parley.protocol.sse.SseEncoder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/** Socket.IO packet encode and decode, and SSE frame encoding, for a typical chat event. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  private final JsonMapper mapper = JsonMapper.builder().build();
  private final SocketIoCodec socketIo = new SocketIoCodec(mapper);
  private final SseEncoder sse = new SseEncoder(mapper);
  private final Packet.Event event = new Packet.Event("/", "chat", List.of(JsonNodeFactory.instance.objectNode()
      .put("from", "alice").put("text", "hello, how is everyone doing today?").put("at", "2026-11-25T18:00:00Z")),
      null, "00000000000004d2");
  private final String text = socketIo.encode(event).text().substring(1);

  @Benchmark
  public WireFrame socketIoEncode() {
    return socketIo.encode(event);
  }

  @Benchmark
  public Object socketIoDecode() {
    return socketIo.decode(text, Peer.CLIENT);
  }

  @Benchmark
  public byte[] sseEncode() {
    return sse.encode(event);
  }
}
