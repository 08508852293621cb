package dev.parley.spi;

/** What a started transport uses to hand connections to the engine. */
public interface TransportContext extends ProviderContext {

  /**
   * Registers a new client connection and returns the engine's side of it. Non-blocking.
   *
   * @throws IllegalStateException if the server is not accepting connections (it is closing); the
   *     transport should refuse the connection (HTTP 503, WebSocket close 1001)
   */
  Session open(Connection connection, ConnectionInfo info);
}
