package dev.parley.client;

import dev.parley.ChatServer;
import dev.parley.host.jetty.JettyHost;
import dev.parley.protocol.DisconnectReason;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.TransportContractTest;
import dev.parley.transport.sse.SseTransport;
import dev.parley.transport.sse.SseTransportConfig;
import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * The transport contract, run against {@link SseTransport} on Jetty (127.0.0.1, a free port) with the Java
 * client over SSE. SSE carries JSON text only, so byte arrays travel as base64 strings: they round-trip,
 * but not as binary ({@link #supportsBinary()}); and
 * a client closing can only end its stream ({@link #clientCloseReason()}).
 */
class SseTransportContractTest extends TransportContractTest {

  @Override
  protected ChatServer.Builder configure(ChatServer.Builder builder) {
    return builder.host(new JettyHost())
        // A short heartbeat: the server notices a stream its client closed when a heartbeat cannot be written.
        .transport(new SseTransport(SseTransportConfig.builder().heartbeatInterval(Duration.ofMillis(300))
            .postAckTimeout(Duration.ofSeconds(1)).build()))
        .store(new MemoryStore())
        .config(c -> c.bindAddress("127.0.0.1").port(0).shutdownTimeout(Duration.ofSeconds(2)));
  }

  @Override
  protected ContractClient connect(ChatServer server, String namespace, JsonNode auth) {
    return ParleyContractClient.connect(ClientTransport.SSE, server, namespace, auth);
  }

  @Override
  protected boolean supportsBinary() {
    return false;
  }

  /**
   * SSE has no message for leaving a namespace: the client's {@code close()} ends its stream, and the server
   * can only see the connection end ({@code SseStream} ends every stream with {@code TRANSPORT_CLOSE}).
   */
  @Override
  protected DisconnectReason clientCloseReason() {
    return DisconnectReason.TRANSPORT_CLOSE;
  }
}
