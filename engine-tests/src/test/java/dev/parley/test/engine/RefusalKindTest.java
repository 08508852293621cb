package dev.parley.test.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.protocol.Packet;
import dev.parley.protocol.Refusal;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.engine.ProbeTransport.Probe;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The engine says why it refused a handshake: the kind goes with the CONNECT_ERROR to the transport. */
class RefusalKindTest {
  private final ProbeTransport transport = new ProbeTransport();
  private ChatServer server;

  @BeforeEach
  void start() {
    server = ChatServer.builder().transport(transport).store(new MemoryStore())
        .config(c -> c.shutdownTimeout(Duration.ofMillis(500)))
        .use(handshake -> switch (handshake.auth().path("refuse").asString("")) {
          case "unauthorized" -> throw ConnectionRejectedException.unauthorized("sign in first", null);
          case "rejected" -> throw new ConnectionRejectedException("go away");
          case "failed" -> throw new IllegalStateException("middleware bug");
          default -> handshake;
        })
        .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void eachSiteSetsItsKind() throws Exception {
    assertThat(refusal("/", "unauthorized"))
        .isEqualTo(new Packet.ConnectError("/", Refusal.UNAUTHORIZED, "sign in first", null));
    assertThat(refusal("/", "rejected"))
        .isEqualTo(new Packet.ConnectError("/", Refusal.REJECTED, "go away", null));
    assertThat(refusal("/", "failed"))
        .isEqualTo(new Packet.ConnectError("/", Refusal.INTERNAL, "internal server error", null));
    assertThat(refusal("/nope", ""))
        .isEqualTo(new Packet.ConnectError("/nope", Refusal.INVALID_NAMESPACE, "Invalid namespace", null));
  }

  @Test
  void aPlainRejectionIsRejectedAndAnUnauthorizedOneSaysSo() {
    assertThat(new ConnectionRejectedException("no").refusal()).isEqualTo(Refusal.REJECTED);
    assertThat(new ConnectionRejectedException("no", null).refusal()).isEqualTo(Refusal.REJECTED);
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("hint", "sign in");
    ConnectionRejectedException unauthorized = ConnectionRejectedException.unauthorized("who?", data);
    assertThat(unauthorized.refusal()).isEqualTo(Refusal.UNAUTHORIZED);
    assertThat(unauthorized).hasMessage("who?");
    assertThat(unauthorized.data()).isEqualTo(data);
  }

  private Packet refusal(String namespace, String kind) throws InterruptedException {
    Probe probe = transport.open();
    probe.session.receive(new Packet.Connect(namespace, JsonNodeFactory.instance.objectNode().put("refuse", kind)));
    return probe.nextPacket(5);
  }
}
