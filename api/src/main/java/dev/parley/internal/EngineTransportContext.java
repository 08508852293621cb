package dev.parley.internal;

import dev.parley.ChatServerConfig;
import dev.parley.spi.Admission;
import dev.parley.spi.Connection;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Session;
import dev.parley.spi.TransportContext;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import reactor.core.scheduler.Scheduler;
import tools.jackson.databind.json.JsonMapper;

/** What the engine offers its transports, stores and host: the server's config, mapper and timers, and sessions. */
final class EngineTransportContext implements TransportContext {
  private final DefaultChatServer server;

  EngineTransportContext(DefaultChatServer server) {
    this.server = server;
  }

  @Override
  public ChatServerConfig config() {
    return server.config();
  }

  @Override
  public JsonMapper jsonMapper() {
    return server.mapper();
  }

  @Override
  public Scheduler scheduler() {
    return server.scheduler();
  }

  @Override
  public Session open(Connection connection, ConnectionInfo info) {
    return server.openSession(connection, info, null);
  }

  @Override
  public Optional<Admission> admit(String remoteIp) {
    return server.admit(remoteIp);
  }

  @Override
  public Session open(Connection connection, ConnectionInfo info, Admission admission) {
    try {
      return server.openSession(connection, info, admission);
    } catch (RuntimeException e) {
      admission.release();
      throw e;
    }
  }

  @Override
  public boolean hasOtherNodes() {
    return server.nodes().size() > 1;
  }

  @Override
  public Mono<Optional<JsonNode>> relay(String transport, @Nullable String node, JsonNode request,
                                        Duration timeout) {
    return server.clusterOperations().relay(transport, node, request, timeout);
  }

  @Override
  public void onRelay(String transport, Function<JsonNode, Mono<JsonNode>> handler) {
    server.clusterOperations().onRelay(transport, handler);
  }
}
