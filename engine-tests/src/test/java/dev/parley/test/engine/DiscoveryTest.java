package dev.parley.test.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.ChatServer;
import dev.parley.error.ProviderNotFoundException;
import dev.parley.spi.ProviderContext;
import dev.parley.spi.Store;
import dev.parley.spi.StoreProvider;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportProvider;
import dev.parley.test.InProcessTransport;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void twoStoresAndNoneNamedFailStartListingBoth(@TempDir Path extra) throws Exception {
    withServices(extra, StoreProvider.class, OtherStoreProvider.class, () -> {
      ChatServer server = ChatServer.builder().build();
      assertThatThrownBy(server::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("several stores are on the class path")
          .hasMessageContaining("\"memory\" (dev.parley:parley-store-memory)")
          .hasMessageContaining("\"other\" (" + OtherStoreProvider.class.getName() + ")")
          .hasMessageContaining("store(");
      assertThat(server.isRunning()).isFalse();

      // Named, either is fine.
      try (ChatServer named = ChatServer.builder().store("memory").start()) {
        assertThat(named.isRunning()).isTrue();
      }
    });
  }

  @Test
  void twoTransportsOfOneNameFailStart(@TempDir Path extra) throws Exception {
    withServices(extra, TransportProvider.class, SameNameTransportProvider.class, () -> {
      ChatServer server = ChatServer.builder().build();
      assertThatThrownBy(server::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("several transports named \"in-process\"")
          .hasMessageContaining(InProcessTransportProvider.class.getName())
          .hasMessageContaining(SameNameTransportProvider.class.getName());
      assertThat(server.isRunning()).isFalse();
    });
  }

  /** A second store provider, as a second store's jar would bring. */
  public static final class OtherStoreProvider implements StoreProvider {
    @Override
    public String name() {
      return "other";
    }

    @Override
    public Store create(ProviderContext context) {
      throw new AssertionError("never chosen");
    }
  }

  /** A transport provider that takes a name another one has. */
  public static final class SameNameTransportProvider implements TransportProvider {
    @Override
    public String name() {
      return "in-process";
    }

    @Override
    public Transport create(ProviderContext context) {
      throw new AssertionError("never chosen");
    }
  }

  /** Runs {@code body} with a context class loader that also registers {@code provider} for {@code service}. */
  private static void withServices(Path dir, Class<?> service, Class<?> provider, ThrowingRunnable body)
      throws Exception {
    Path file = dir.resolve("META-INF/services/" + service.getName());
    Files.createDirectories(file.getParent());
    Files.writeString(file, provider.getName() + "\n");
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, before)) {
      thread.setContextClassLoader(loader);
      body.run();
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }
}
