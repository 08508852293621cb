package dev.parley.client;

import dev.parley.ChatServer;
import dev.parley.host.jetty.JettyHost;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.TransportContractTest;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.time.Duration;
import tools.jackson.databind.JsonNode;

/**
 * The transport contract, run against {@link WebSocketTransport} on Jetty (127.0.0.1, a free port) with the
 * Java client over WebSocket.
 */
class WebSocketTransportContractTest extends TransportContractTest {

  @Override
  protected ChatServer.Builder configure(ChatServer.Builder builder) {
    return builder.host(new JettyHost())
        .transport(new WebSocketTransport(WebSocketTransportConfig.defaults()))
        .store(new MemoryStore())
        .config(c -> c.bindAddress("127.0.0.1").port(0).shutdownTimeout(Duration.ofSeconds(2)));
  }

  @Override
  protected ContractClient connect(ChatServer server, String namespace, JsonNode auth) {
    return ParleyContractClient.connect(ClientTransport.WEBSOCKET, server, namespace, auth);
  }
}
