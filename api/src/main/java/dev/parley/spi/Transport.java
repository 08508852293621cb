package dev.parley.spi;

import dev.parley.protocol.Packet;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Turns network connections into sessions: decodes its wire format into {@link Packet}s for the
 * engine and encodes the engine's packets back. It knows nothing of rooms or stores, and never opens a
 * port itself: a {@link Host} (or an application's own Servlet container) mounts it.
 */
public interface Transport {

  /** The transport's name, such as {@code "websocket"}. */
  String name();

  /** Whether the transport must be mounted into a host to be reachable. */
  default boolean requiresHost() {
    return true;
  }

  /** Starts the transport; from now on it may call {@link TransportContext#open}. */
  Mono<Void> start(TransportContext context);

  /**
   * Installs the transport into a host's container (a Servlet context, a WebSocket server container),
   * which {@code mount} exposes. Called by the host, after {@link #start} and before it accepts traffic.
   */
  default void mount(Mount mount) {
  }

  /** Stops accepting connections and releases what the transport holds. */
  Mono<Void> stop();

  /**
   * What the transport holds open right now, by kind ({@code "sockets"}, {@code "streams"}, requests
   * awaiting an answer, ...), for {@link dev.parley.ChatServer#stats()}, which reports each under
   * {@code "<name>.<kind>"}. Every count must fall back to zero once the clients have gone. Cheap, never
   * blocks, callable from any thread; the default, for a transport that keeps no counts, is empty.
   */
  default Map<String, Integer> stats() {
    return Map.of();
  }
}
