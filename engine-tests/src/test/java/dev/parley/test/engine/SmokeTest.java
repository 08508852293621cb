package dev.parley.test.engine;

import dev.parley.ChatServer;
import dev.parley.Replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.store.memory.MemoryStore;
import dev.parley.test.InProcessTransport;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void chatRoundTrip() {
    InProcessTransport transport = new InProcessTransport();
    try (ChatServer server = ChatServer.builder()
        .transport(transport)
        .store(new MemoryStore())
        .onConnection(channel -> {
          channel.join("lobby", Replay.last(10));
          channel.on("chat", (ch, event) ->
              ch.post("lobby", "chat", event.arg(0)).subscribe(m -> event.ack(m.id())));
        })
        .start()) {
      TestClient alice = transport.connect("/");
      TestClient bob = transport.connect("/");
      var ack = alice.emitWithAck("chat", "hello").block(Duration.ofSeconds(5));
      ReceivedEvent got = bob.next();
      assertThat(got.name()).isEqualTo("chat");
      assertThat(got.arg(0).asString()).isEqualTo("hello");
      assertThat(got.messageId()).isEqualTo(ack.get(0).asString());
      alice.assertNoMoreEvents();
    }
  }
}
