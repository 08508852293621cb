package dev.parley.transport.sse.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Session;
import dev.parley.spi.TransportContext;
import dev.parley.transport.sse.SseTransportConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * One stream on Jetty's core API against a response whose writes complete only when the test says so (as a slow
 * reader's would): one write at a time, what is sent meanwhile gathered into the next, and an end that waits for
 * the write in flight rather than cutting it off.
 */
class CoreStreamTest {
  private final Queue<String> written = new ConcurrentLinkedQueue<>();
  private final Queue<Callback> inFlight = new ConcurrentLinkedQueue<>();
  private final Queue<String> requestEnd = new ConcurrentLinkedQueue<>();
  private final Queue<String> callbacks = new ConcurrentLinkedQueue<>();
  private final Queue<DisconnectReason> closedWith = new ConcurrentLinkedQueue<>();
  private final SseServlet servlet = new SseServlet(SseTransportConfig.defaults(), Fakes.of(TransportContext.class,
      (name, args) -> name.equals("jsonMapper") ? JsonMapper.builder().build()
          : name.equals("nodeId") ? "node" : null));
  private final HttpFields.Mutable headers = HttpFields.build();
  private final CoreStream stream = new CoreStream(servlet, Fakes.of(Response.class, (name, args) -> {
    switch (name) {
      case "getHeaders" -> {
        return headers;
      }
      case "write" -> {
        ByteBuffer buffer = (ByteBuffer) args[1];
        written.add(StandardCharsets.UTF_8.decode(buffer).toString());
        inFlight.add((Callback) args[2]);
      }
      default -> {
      }
    }
    return null;
  }), Callback.from(() -> requestEnd.add("succeeded"), failure -> requestEnd.add("failed")), "/");

  CoreStreamTest() {
    stream.bind(Fakes.of(Session.class, (name, args) -> {
      if (name.equals("id")) {
        return "session-1";
      }
      if (name.equals("closed")) {
        closedWith.add((DisconnectReason) args[0]);
      }
      return null;
    }));
  }

  private static Outgoing event(String text) {
    return new Outgoing(new Packet.Event("/", "chat", List.of(JsonNodeFactory.instance.textNode(text)), null, null));
  }

  private void open() {
    stream.write(List.of(new Outgoing(new Packet.Connect("/", JsonNodeFactory.instance.objectNode().put("sid", "c1")))),
        Fakes.recording(callbacks, "connect"));
    assertThat(written).hasSize(1);
    assertThat(written.peek()).contains("event: parley:session");
    inFlight.poll().succeeded();
    written.clear();
  }

  @Test
  void whatIsSentWhileAWriteIsInFlightGoesInOneNextWrite() {
    open();
    stream.write(List.of(event("one")), Fakes.recording(callbacks, "one"));
    stream.write(List.of(event("two")), Fakes.recording(callbacks, "two"));
    stream.write(List.of(event("three")), Fakes.recording(callbacks, "three"));
    assertThat(written).as("one write at a time").hasSize(1);

    inFlight.poll().succeeded();
    assertThat(written).hasSize(2);
    assertThat(written).last().asString().contains("\"two\"").contains("\"three\"");
    inFlight.poll().succeeded();
    assertThat(callbacks).contains("one: written", "two: written", "three: written");
    assertThat(closedWith).isEmpty();
  }

  @Test
  void anEndWaitsForTheWriteInFlightInsteadOfCuttingItOff() {
    open();
    stream.write(List.of(event("last words")), Fakes.recording(callbacks, "last"));
    assertThat(inFlight).hasSize(1);

    stream.close(DisconnectReason.SERVER_SHUTTING_DOWN);
    assertThat(requestEnd).as("the response is not ended under a write in flight").isEmpty();

    inFlight.poll().succeeded();
    assertThat(requestEnd).containsExactly("succeeded");
    assertThat(stream.ended()).isTrue();
  }

  @Test
  void aFailedWriteFailsWhatIsQueuedOnceAndEndsTheRequest() {
    open();
    stream.write(List.of(event("one")), Fakes.recording(callbacks, "one"));
    stream.write(List.of(event("two")), Fakes.recording(callbacks, "two"));
    inFlight.poll().failed(new java.io.IOException("reset"));

    assertThat(stream.ended()).isTrue();
    assertThat(closedWith).containsExactly(DisconnectReason.TRANSPORT_CLOSE);
    assertThat(requestEnd).containsExactly("failed");
    assertThat(callbacks).filteredOn(line -> line.startsWith("two")).containsExactly("two: failed IOException");
    assertThat(callbacks).filteredOn(line -> line.startsWith("one")).hasSize(1);
  }
}
