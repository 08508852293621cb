package dev.parley.spi;

import java.util.Optional;

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
}
