package dev.parley.test.engine;

import dev.parley.ChatServer;
import dev.parley.protocol.DisconnectReason;
import dev.parley.test.InProcessTransport;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import dev.parley.test.TransportContractTest;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** The transport contract, run against the test kit's {@link InProcessTransport} with its {@link TestClient}. */
class InProcessTransportContractTest extends TransportContractTest {
  private final InProcessTransport transport = new InProcessTransport();

  @Override
  protected ChatServer.Builder configure(ChatServer.Builder builder) {
    return builder.transport(transport);
  }

  @Override
  protected ContractClient connect(ChatServer server, String namespace, JsonNode auth) {
    return new InProcessClient(transport.connect(namespace, auth));
  }

  /** A {@link TestClient} as a contract client. */
  private record InProcessClient(TestClient client) implements ContractClient {
    @Override
    public String id() {
      return client.id();
    }

    @Override
    public void emit(String event, Object... args) {
      client.emit(event, args);
    }

    @Override
    public Mono<List<JsonNode>> emitWithAck(String event, Object... args) {
      return client.emitWithAck(event, args);
    }

    @Override
    public void respond(String event, Function<List<JsonNode>, Object[]> responder) {
      client.respond(event, responder);
    }

    @Override
    public @Nullable ReceivedEvent next(Duration timeout) {
      try {
        return client.next(timeout);
      } catch (AssertionError none) {
        return null;
      }
    }

    @Override
    public DisconnectReason awaitDisconnect(Duration timeout) {
      return client.awaitDisconnect();
    }

    @Override
    public boolean stall() {
      client.stall();
      return true;
    }

    @Override
    public void close() {
      client.close();
    }
  }
}
