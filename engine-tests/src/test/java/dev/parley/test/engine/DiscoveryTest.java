package dev.parley.test.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ChatServer;
import dev.parley.error.ProviderNotFoundException;
import dev.parley.test.InProcessTransport;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import org.junit.jupiter.api.Test;

/**
 * Class-path discovery: what {@code ChatServer.builder().start()} picks with nothing configured, and the
 * error that names the artifact to add when a provider asked for is absent.
 */
class DiscoveryTest {

  @Test
  void startWithNothingConfiguredUsesTheDiscoveredTransportAndTheMemoryStore() throws Exception {
    try (ChatServer server = ChatServer.builder().start()) {
      assertThat(server.isRunning()).isTrue();
      InProcessTransport transport = InProcessTransportProvider.lastCreated();
      assertThat(transport).as("the transport discovery made").isNotNull();

      // Wired up: a client reaches the server through the discovered transport, and posts reach the
      // discovered store, the only one on this class path.
      server.namespace().onConnection(channel -> channel.on("ping", (ch, event) -> event.ack("pong")));
      try (TestClient client = transport.connect("/")) {
        assertThat(client.emitWithAck("ping").block(Timeouts.EXPECTED))
            .singleElement().extracting(n -> n.asString()).isEqualTo("pong");
      }
      server.room("lobby").post("chat", "hello").block(Timeouts.EXPECTED);
      assertThat(server.room("lobby").history(10).collectList().block(Timeouts.EXPECTED))
          .singleElement().extracting(message -> message.payload().asString()).isEqualTo("hello");
    }
  }

  @Test
  void missingStoreNamesItsArtifact() {
    ChatServer server = ChatServer.builder().store("mongo").build();

    assertThatThrownBy(server::start)
        .isInstanceOfSatisfying(ProviderNotFoundException.class, e -> {
          assertThat(e.kind()).isEqualTo("store");
          assertThat(e.name()).isEqualTo("mongo");
        })
        .hasMessageContaining("no store named \"mongo\"")
        .hasMessageContaining("found: memory")
        .hasMessageContaining("dev.parley:parley-store-mongo");
    assertThat(server.isRunning()).isFalse();
  }

  @Test
  void missingTransportNamesItsArtifact() {
    ChatServer server = ChatServer.builder().transport("websocket").build();

    assertThatThrownBy(server::start)
        .isInstanceOfSatisfying(ProviderNotFoundException.class, e -> {
          assertThat(e.kind()).isEqualTo("transport");
          assertThat(e.name()).isEqualTo("websocket");
        })
        .hasMessageContaining("no transport named \"websocket\"")
        .hasMessageContaining("found: in-process")
        .hasMessageContaining("dev.parley:parley-transport-websocket");
    assertThat(server.isRunning()).isFalse();
  }

  @Test
  void namedProvidersThatArePresentAreUsed() throws Exception {
    try (ChatServer server = ChatServer.builder().transport("in-process").store("memory").start()) {
      InProcessTransport transport = InProcessTransportProvider.lastCreated();
      assertThat(transport).isNotNull();
      try (TestClient client = transport.connect("/")) {
        assertThat(client.isConnected()).isTrue();
      }
    }
  }
}
