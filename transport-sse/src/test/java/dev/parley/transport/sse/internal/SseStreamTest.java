package dev.parley.transport.sse.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Session;
import dev.parley.spi.TransportContext;
import dev.parley.transport.sse.SseTransportConfig;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * One stream (on the Servlet path) against a container that stops taking bytes or fails while writing, without a
 * network: the container's side is a fake output stream, the engine's a fake session that records how it was
 * closed.
 */
class SseStreamTest {
  private final FakeOutput out = new FakeOutput();
  private final AtomicInteger completed = new AtomicInteger();
  private final Queue<DisconnectReason> closedWith = new ConcurrentLinkedQueue<>();
  private final Queue<String> callbacks = new ConcurrentLinkedQueue<>();
  private final SseServlet servlet = new SseServlet(SseTransportConfig.defaults(), Fakes.of(TransportContext.class,
      (name, args) -> name.equals("jsonMapper") ? JsonMapper.builder().build()
          : name.equals("nodeId") ? "node" : null));
  private final ServletStream stream = new ServletStream(servlet,
      Fakes.of(AsyncContext.class, (name, args) -> {
        if (name.equals("complete")) {
          completed.incrementAndGet();
        }
        return null;
      }),
      Fakes.of(HttpServletResponse.class, (name, args) -> null), out, "/");

  SseStreamTest() {
    Session session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "id" -> {
              return "session-1";
            }
            case "closed" -> closedWith.add((DisconnectReason) args[0]);
            default -> {
            }
          }
          return null;
        });
    stream.bind(session);
    out.setWriteListener(stream);
  }

  private void openStream() {
    stream.write(List.of(new Outgoing(new Packet.Connect("/", JsonNodeFactory.instance.objectNode().put("sid", "c1")))),
        Fakes.recording(callbacks, "connect"));
    assertThat(callbacks).containsExactly("connect: written");
    assertThat(out.text()).contains("event: parley:session");
  }

  @Test
  void aCloseWhileAPassIsWritingStillEndsTheStream() {
    openStream();
    // The engine's close() lands while a pass has peeked the heartbeat and not yet polled it.
    out.onIsReady = () -> stream.close(DisconnectReason.FORCED_SERVER_CLOSE);
    stream.ping();
    assertThat(stream.ended()).as("stream ended after close()").isTrue();
    assertThat(completed.get()).as("async completed").isEqualTo(1);
  }

  @Test
  void heartbeatsDoNotPileUpForAReaderThatDoesNotRead() {
    openStream();
    out.ready = false;
    for (int i = 0; i < 10_000; i++) {
      stream.ping();
    }
    assertThat(stream.queued()).as("one heartbeat waits, not ten thousand").isEqualTo(1);

    out.ready = true;
    stream.onWritePossible();
    assertThat(stream.queued()).isZero();
    assertThat(out.text().split(": ping", -1)).hasSize(2);
    // Written, the next one may go.
    stream.ping();
    assertThat(out.text().split(": ping", -1)).hasSize(3);
    assertThat(closedWith).isEmpty();
  }

  @Test
  void anErrorWhileWritingEndsTheStreamOnceWithTheReasonTransportError() {
    openStream();
    out.failWith = () -> new OutOfMemoryError("simulated");
    Outgoing event = new Outgoing(new Packet.Event("/", "chat", List.of(JsonNodeFactory.instance.textNode("hi")),
        null, null));
    stream.write(List.of(event), Fakes.recording(callbacks, "event"));

    assertThat(stream.ended()).isTrue();
    assertThat(closedWith).containsExactly(DisconnectReason.TRANSPORT_ERROR);
    assertThat(completed).hasValue(1);
    assertThat(callbacks).containsExactly("connect: written", "event: failed OutOfMemoryError");

    // Nothing more is taken: later writes fail at once, heartbeats are dropped, the engine is told once.
    out.failWith = null;
    stream.write(List.of(event), Fakes.recording(callbacks, "later"));
    stream.ping();
    stream.close(DisconnectReason.TRANSPORT_ERROR);
    assertThat(callbacks).endsWith("later: failed IOException");
    assertThat(out.text()).doesNotContain("event: chat");
    assertThat(closedWith).hasSize(1);
    assertThat(completed).hasValue(1);
  }

  @Test
  void anErrorWhileEncodingInsideTheStreamEndsItToo() {
    openStream();
    // An encoding that is not cached yet and fails: the encoder runs inside write.
    Outgoing poison = new Outgoing(new Packet.Event("/", "chat",
        List.of(JsonNodeFactory.instance.pojoNode(new Poison())), null, null));
    stream.write(List.of(poison), Fakes.recording(callbacks, "poison"));
    assertThat(stream.ended()).isTrue();
    assertThat(closedWith).containsExactly(DisconnectReason.TRANSPORT_ERROR);
    assertThat(callbacks).contains("poison: failed OutOfMemoryError");
    assertThat(completed).hasValue(1);
  }

  @Test
  void weighIsTheEncodedSize() {
    Outgoing event = new Outgoing(new Packet.Event("/", "chat", List.of(JsonNodeFactory.instance.textNode("hi")),
        null, null));
    assertThat(stream.weigh(event)).isEqualTo("event: chat\ndata: \"hi\"\n\n".length());
    assertThat(stream.weigh(new Outgoing(new Packet.Control("anything")))).isZero();
  }

  /** A value whose serialisation fails with an Error. */
  public static final class Poison {
    public String getValue() {
      throw new OutOfMemoryError("simulated while encoding");
    }
  }

  /** An output stream that takes bytes only while ready, like a container's in non-blocking mode. */
  private static final class FakeOutput extends ServletOutputStream {
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    volatile boolean ready = true;
    volatile Supplier<Error> failWith;
    volatile Runnable onIsReady;

    @Override
    public boolean isReady() {
      Runnable hook = onIsReady;
      if (hook != null) {
        onIsReady = null;
        hook.run();
      }
      return ready;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int off, int len) {
      Supplier<Error> failure = failWith;
      if (failure != null) {
        throw failure.get();
      }
      written.write(bytes, off, len);
    }

    String text() {
      return written.toString(StandardCharsets.UTF_8);
    }
  }
}
