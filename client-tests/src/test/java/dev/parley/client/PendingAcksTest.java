package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.LimitExceededException;
import dev.parley.protocol.DisconnectReason;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The bound on acks awaiting the server's answer ({@code maxPendingAcks}), over both transports against a
 * real server ({@link TokenAndBoundsApp}) on 127.0.0.1: refused at the bound, freed by a reply, a timeout or the
 * end of the connection.
 */
class PendingAcksTest extends ClientTestSupport {
  private static final int MAX = 3;
  private TokenAndBoundsApp app;

  @BeforeEach
  void start() throws IOException {
    app = track(new TokenAndBoundsApp(token -> { }));
  }

  private ParleyClient connect(ClientTransport transport) {
    return connect(ParleyClient.builder(app.proxiedUrl()).transport(transport).reconnect(FAST).maxPendingAcks(MAX));
  }

  private static void assertRefused(Mono<ClientReply> reply) {
    StepVerifier.create(reply)
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(LimitExceededException.class, limit -> {
          assertThat(limit.limit()).isEqualTo("maxPendingAcks");
          assertThat(limit.value()).isEqualTo(MAX);
        }).hasMessage("maxPendingAcks limit of 3 reached"))
        .verify(WAIT);
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void refusesTheAckBeyondTheBoundAndARepliedOneFreesItsSlot(ClientTransport transport) {
    ParleyClient client = connect(transport);
    List<Mono<ClientReply>> held = new ArrayList<>();
    for (int i = 0; i < MAX; i++) {
      held.add(client.emitWithAck("hold"));
    }

    assertRefused(client.emitWithAck("echo", "one too many"));
    // Over SSE an emit may overtake the emitWithAcks before it: release once the server holds them all.
    await().atMost(WAIT).until(() -> app.held() == MAX);
    // Plain emits are not acks: they still go.
    client.emit("release");

    for (Mono<ClientReply> reply : held) {
      assertThat(reply.block(WAIT).arg(0, String.class)).isEqualTo("released");
    }
    assertThat(client.emitWithAck("echo", "room again").block(WAIT).arg(0, String.class)).isEqualTo("room again");
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void anAckThatTimesOutFreesItsSlot(ClientTransport transport) {
    ParleyClient client = connect(transport);
    List<Mono<ClientReply>> silent = new ArrayList<>();
    for (int i = 0; i < MAX; i++) {
      silent.add(client.emitWithAck(Duration.ofMillis(300), "silence"));
    }
    assertRefused(client.emitWithAck("echo", "one too many"));

    for (Mono<ClientReply> reply : silent) {
      StepVerifier.create(reply).expectError(AckTimeoutException.class).verify(WAIT);
    }

    assertThat(client.emitWithAck("echo", "after timeouts").block(WAIT).arg(0, String.class))
        .isEqualTo("after timeouts");
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void pendingAcksFailWhenTheConnectionEndsAndFreeTheirSlots(ClientTransport transport) throws Exception {
    Recorder<DisconnectReason> disconnects = recorder();
    Recorder<String> connects = recorder();
    ParleyClient client = connect(ParleyClient.builder(app.proxiedUrl()).transport(transport).reconnect(FAST)
        .maxPendingAcks(MAX).onDisconnect(disconnects).onConnect(() -> connects.accept("connect")));
    assertThat(connects.next()).isEqualTo("connect");
    List<Mono<ClientReply>> silent = new ArrayList<>();
    for (int i = 0; i < MAX; i++) {
      silent.add(client.emitWithAck(Duration.ofMinutes(1), "silence"));
    }
    assertRefused(client.emitWithAck("echo", "one too many"));

    app.proxy.dropAll();

    assertThat(disconnects.next()).isIn(DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.TRANSPORT_ERROR);
    for (Mono<ClientReply> reply : silent) {
      StepVerifier.create(reply).expectError(ChannelClosedException.class).verify(WAIT);
    }
    assertThat(connects.next()).isEqualTo("connect");
    assertThat(client.emitWithAck("echo", "reconnected").block(WAIT).arg(0, String.class)).isEqualTo("reconnected");
  }
}
