package dev.parley.test.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.Channel;
import dev.parley.Message;
import dev.parley.Replay;
import dev.parley.protocol.DisconnectReason;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.Nodes;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** A client that stops reading is cut off once its bounded buffer is full; the others do not notice. */
class SlowConsumerTest {
  private static final int BUFFER = 64;

  private final Nodes nodes = Nodes.sharing(new MemoryStore());
  private final Nodes.Node node = nodes.start(b -> b.config(c -> c.outboundBufferSize(BUFFER)));

  @AfterEach
  void close() {
    nodes.close();
  }

  @Test
  void stalledClientIsDisconnectedWhileOthersReceiveEverything() {
    List<TestClient> readers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      readers.add(node.connect("r"));
    }
    TestClient stalled = node.connect("r");
    Channel stalledChannel = node.channel(stalled);
    stalled.stall();

    int total = 2_000;
    int cutOffAfter = -1;
    for (int i = 0; i < total; i++) {
      node.server().to("r").emit("n", i);
      if (cutOffAfter < 0 && !stalledChannel.connected()) {
        cutOffAfter = i + 1;
      }
    }

    StepVerifier.create(stalledChannel.onDisconnect())
        .expectNext(DisconnectReason.SLOW_CONSUMER)
        .expectComplete()
        .verify(Timeouts.EXPECTED);
    assertThat(stalled.awaitDisconnect()).isEqualTo(DisconnectReason.SLOW_CONSUMER);
    // Never cut off while its buffer had room; never allowed to queue more than the buffer holds
    // (the one batch handed to the stalled connection may or may not count).
    assertThat(cutOffAfter).isBetween(BUFFER + 1, BUFFER + 2);
    assertThat(node.server().room("r").members()).hasSize(20).doesNotContain(stalledChannel);

    for (TestClient reader : readers) {
      for (int i = 0; i < total; i++) {
        ReceivedEvent event = reader.next();
        assertThat(event.name()).isEqualTo("n");
        assertThat(event.arg(0).asInt()).isEqualTo(i);
      }
      assertThat(reader.isConnected()).isTrue();
    }
  }

  @Test
  void stalledClientGetsAtMostItsBufferEvenWhenItReadsAgain() {
    TestClient stalled = node.connect("r");
    stalled.stall();
    for (int i = 0; i < 500; i++) {
      node.server().to("r").emit("n", i);
    }
    assertThat(stalled.awaitDisconnect()).isEqualTo(DisconnectReason.SLOW_CONSUMER);

    stalled.resume();

    assertThat(stalled.pendingEvents()).isLessThanOrEqualTo(BUFFER);
  }

  @Test
  void clientCutOffDuringPostsResumesWithoutLoss() {
    TestClient reader = node.connect("r");
    TestClient stalled = node.connect("r");
    stalled.stall();

    List<String> posted = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      posted.add(node.server().room("r").post("chat", i).block(Timeouts.EXPECTED).id());
    }
    assertThat(stalled.awaitDisconnect()).isEqualTo(DisconnectReason.SLOW_CONSUMER);
    stalled.resume();
    List<String> seen = new ArrayList<>();
    while (stalled.pendingEvents() > 0) {
      seen.add(stalled.next().messageId());
    }
    assertThat(seen).isEqualTo(posted.subList(0, seen.size()));
    assertThat(reader.next(300)).extracting(ReceivedEvent::messageId).isEqualTo(posted);

    TestClient again = node.connect();
    String lastSeen = seen.isEmpty() ? null : seen.get(seen.size() - 1);
    node.join(again, "r", lastSeen == null ? Replay.last(1000) : Replay.after(lastSeen));
    Message live = node.server().room("r").post("chat", "live").block(Timeouts.EXPECTED);

    List<String> missed = posted.subList(seen.size(), posted.size());
    assertThat(again.next(missed.size() + 1)).extracting(ReceivedEvent::messageId)
        .containsExactlyElementsOf(concat(missed, live.id()));
  }

  private static List<String> concat(List<String> list, String last) {
    List<String> out = new ArrayList<>(list);
    out.add(last);
    return out;
  }
}
