package dev.parley.test.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ChatServer;
import dev.parley.error.ProviderNotFoundException;
import dev.parley.spi.Store;
import dev.parley.spi.Transport;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.InProcessTransport;
import dev.parley.test.TestClient;
import java.lang.reflect.Field;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Class-path discovery: what {@code ChatServer.builder().start()} picks with nothing configured, and the
 * error that names the artifact to add when a provider asked for is absent.
 */
class DiscoveryTest {

  @Test
  void startWithNothingConfiguredUsesTheInProcessTransportAndTheMemoryStore() throws Exception {
    try (ChatServer server = ChatServer.builder().start()) {
      assertThat(server.isRunning()).isTrue();
      List<?> transports = (List<?>) field(server, "transports");
      assertThat(transports).hasSize(1).first().isInstanceOf(InProcessTransport.class);
      assertThat(field(server, "store")).isInstanceOf(MemoryStore.class);

      // And they are wired up: a client reaches the server through the discovered transport.
      server.namespace().onConnection(channel -> channel.on("ping", (ch, event) -> event.ack("pong")));
      try (TestClient client = ((InProcessTransport) transports.get(0)).connect("/")) {
        assertThat(client.emitWithAck("ping").block(dev.parley.test.Timeouts.EXPECTED))
            .singleElement().extracting(n -> n.asString()).isEqualTo("pong");
      }
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
      assertThat((List<?>) field(server, "transports")).singleElement().isInstanceOf(InProcessTransport.class);
      assertThat(field(server, "store")).isInstanceOf(MemoryStore.class);
    }
  }

  /**
   * What the engine chose. The public API does not expose it, so it is read from the engine's fields
   * (the tests run on the class path, where the engine's internals are reachable by reflection).
   */
  private static Object field(ChatServer server, String name) throws ReflectiveOperationException {
    Field field = server.getClass().getDeclaredField(name);
    field.setAccessible(true);
    Object value = field.get(server);
    assertThat(value).as(name).isNotNull();
    if ("store".equals(name)) {
      assertThat(value).isInstanceOf(Store.class);
    } else {
      assertThat((List<?>) value).allMatch(Transport.class::isInstance);
    }
    return value;
  }
}
