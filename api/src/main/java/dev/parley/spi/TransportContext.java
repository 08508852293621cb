package dev.parley.spi;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** What a started transport uses to hand connections to the engine. */
public interface TransportContext extends ProviderContext {

  /**
   * Registers a new client connection and returns the engine's side of it. Non-blocking.
   *
   * @throws IllegalStateException if the server is not accepting connections (it is closing); the
   *     transport should refuse the connection (HTTP 503, WebSocket close 1001)
   */
  Session open(Connection connection, ConnectionInfo info);

  /**
   * Holds a place for one more connection from a remote address, before the transport accepts it
   * (before a WebSocket upgrade, before an event stream's response starts): one address may hold
   * {@link dev.parley.ChatServerConfig#maxConnectionsPerAddress()} at once. Non-blocking, thread-safe.
   *
   * @param remoteIp the peer's IP address as the container reports it, without the port
   * @return the place, to hand to {@link #open(Connection, ConnectionInfo, Admission)} (or to release if
   *     the connection is not opened after all); empty if the address already holds as many connections
   *     as allowed, in which case the transport refuses the connection with HTTP 429
   */
  Optional<Admission> admit(String remoteIp);

  /**
   * As {@link #open(Connection, ConnectionInfo)}, for a connection that holds {@code admission}: the
   * session releases it when it ends, and it is released at once if this throws.
   *
   * @throws IllegalStateException if the server is not accepting connections (it is closing)
   */
  Session open(Connection connection, ConnectionInfo info, Admission admission);

  /**
   * Whether another node shares this node's store and is alive now: whether {@link #relay} can reach anyone.
   * The default implementation knows no other node.
   */
  default boolean hasOtherNodes() {
    return false;
  }

  /**
   * Hands a request this node cannot serve, one for a session another node holds, to that node (or, when it is
   * not known, to every other node sharing the store): its transport of the same name ({@link #onRelay}) answers
   * it. For a transport whose clients may reach any node (an SSE client's POSTs behind a load balancer without
   * sticky sessions). Non-blocking; the request travels as one bus message, and the answer as another from each
   * node asked.
   *
   * @param transport the transport's name
   * @param node the node that holds the session, if the transport knows it ({@link #nodeId()}), or null for all
   * @param request what the other node needs to serve it (a JSON object of the transport's own making)
   * @param timeout how long to wait for the node that takes it
   * @return the answer; empty if no node took it (the node named is not alive, or no node holds the session),
   *     or there is no other node; an error ({@link dev.parley.error.ClusterException}) if a node asked did not
   *     answer within {@code timeout}. The default implementation knows no other node
   */
  default Mono<Optional<JsonNode>> relay(String transport, @Nullable String node, JsonNode request,
                                         Duration timeout) {
    return Mono.just(Optional.empty());
  }

  /** This node's id among those sharing the store ({@link dev.parley.ChatServerConfig#nodeId()}). */
  default String nodeId() {
    return config().nodeId();
  }

  /**
   * Serves the requests other nodes relay to this node's transport named {@code transport}: {@code handler}
   * answers one that is for this node, and completes empty for one that is not (a session it does not hold). It
   * runs on the bus's thread: it must not block. One handler per transport; the default implementation
   * ignores it.
   */
  default void onRelay(String transport, Function<JsonNode, Mono<JsonNode>> handler) {
  }
}
