package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.error.LimitExceededException;
import java.io.IOException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.test.StepVerifier;

/**
 * The bound on a connection's outbound buffer, against a real server ({@link TokenAndBoundsApp}) on 127.0.0.1:
 * over SSE the buffer fills while the server has not answered the post before (its handler is blocked);
 * over WebSocket while the network does not carry what the client writes (a {@link StallingProxy}).
 */
class OutboundBufferTest extends ClientTestSupport {
  private TokenAndBoundsApp app;

  @BeforeEach
  void start() throws IOException {
    app = track(new TokenAndBoundsApp(token -> { }));
  }

  @Test
  void sseRefusesTheEmitBeyondTheBoundAndDeliversTheBufferedOnesOnceTheServerAnswers() throws Exception {
    ParleyClient client = connect(ParleyClient.builder(app.directUrl()).transport(ClientTransport.SSE)
        .outboundBufferSize(5));
    // Posted, and not answered until the server's handler ends: the emits after it wait in the buffer.
    client.emit("block");
    assertThat(app.blocked()).isTrue();
    for (int i = 0; i < 5; i++) {
      client.emit("count", i);
    }

    assertThatThrownBy(() -> client.emit("count", 5))
        .isInstanceOfSatisfying(LimitExceededException.class, e -> {
          assertThat(e.limit()).isEqualTo("outboundBufferSize");
          assertThat(e.value()).isEqualTo(5);
        })
        .hasMessage("outboundBufferSize limit of 5 reached");
    StepVerifier.create(client.emitWithAck("echo", "too many"))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(LimitExceededException.class)
            .hasMessage("outboundBufferSize limit of 5 reached"))
        .verify(WAIT);
    assertThat(client.isConnected()).isTrue();

    app.unblock();

    await().atMost(WAIT).until(() -> app.counted.size() == 5);
    assertThat(app.counted).containsExactly(0, 1, 2, 3, 4);
    // The refused emitWithAck was not sent: the next ack is the reply to this one.
    assertThat(client.emitWithAck("echo", "room again").block(WAIT).arg(0, String.class)).isEqualTo("room again");
    client.emit("count", 6);
    await().atMost(WAIT).until(() -> app.counted.size() == 6);
    assertThat(app.counted).containsExactly(0, 1, 2, 3, 4, 6);
  }

  @Test
  void sseCountsTheBytesOfThePostBodies() throws Exception {
    // {"event":"count","args":[N]}: 27 or 28 bytes; three fit in 90, a fourth does not.
    ParleyClient client = connect(ParleyClient.builder(app.directUrl()).transport(ClientTransport.SSE)
        .outboundBufferBytes(90));
    client.emit("block");
    assertThat(app.blocked()).isTrue();
    client.emit("count", 10);
    client.emit("count", 11);
    client.emit("count", 12);

    assertThatThrownBy(() -> client.emit("count", 13))
        .isInstanceOfSatisfying(LimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo("outboundBufferBytes"));

    app.unblock();
    await().atMost(WAIT).until(() -> app.counted.size() == 3);
    assertThat(app.counted).containsExactly(10, 11, 12);
  }

  @Test
  void aPacketLargerThanTheByteBoundGoesOutAloneWhenTheBufferIsEmpty() throws Exception {
    ParleyClient client = connect(ParleyClient.builder(app.directUrl()).transport(ClientTransport.SSE)
        .outboundBufferBytes(10));
    client.emit("block");
    assertThat(app.blocked()).isTrue();

    client.emit("count", 20);
    assertThatThrownBy(() -> client.emit("count", 21)).isInstanceOf(LimitExceededException.class)
        .hasMessage("outboundBufferBytes limit of 10 reached");

    app.unblock();
    await().atMost(WAIT).until(() -> app.counted.size() == 1);
    assertThat(app.counted).containsExactly(20);
  }

  @ParameterizedTest
  @CsvSource({
      "8, 1048576, outboundBufferSize",
      "100000, 200000, outboundBufferBytes",
  })
  void webSocketRefusesTheEmitBeyondTheBoundAndDeliversTheBufferedOnesOnceTheNetworkMoves(
      int packets, long bytes, String limit) throws Exception {
    StallingProxy network = track(new StallingProxy(app.server.address().orElseThrow().getPort()));
    ParleyClient client = connect(ParleyClient.builder(network.url())
        .outboundBufferSize(packets).outboundBufferBytes(bytes));
    String filler = "x".repeat(32 * 1024);

    network.stall();
    // The operating system's buffers take a few megabytes first; then the client's writer waits, and its
    // buffer fills.
    int sent = 0;
    LimitExceededException refused = null;
    while (refused == null && sent < 4_000) {
      try {
        client.emit("count", sent, filler);
        sent++;
      } catch (LimitExceededException e) {
        refused = e;
      }
    }

    assertThat(refused).isNotNull();
    assertThat(refused.limit()).isEqualTo(limit);
    assertThat(client.isConnected()).isTrue();
    network.resume();
    int expected = sent;
    await().atMost(WAIT).until(() -> app.counted.size() == expected);
    assertThat(app.counted).containsExactlyElementsOf(IntStream.range(0, expected).boxed().toList());
    assertThat(client.emitWithAck("echo", "after").block(WAIT).arg(0, String.class)).isEqualTo("after");
  }
}
