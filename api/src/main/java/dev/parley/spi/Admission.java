package dev.parley.spi;

/**
 * A place held for one connection from one remote address, from {@link TransportContext#admit(String)}:
 * it counts against {@link dev.parley.ChatServerConfig#maxConnectionsPerAddress()} until released.
 * Handed to {@link TransportContext#open(Connection, ConnectionInfo, Admission)}, the session releases it
 * when it ends; a transport that does not open the connection after all (the upgrade failed) releases it
 * itself.
 */
public interface Admission {

  /** Gives the place back. Only the first call counts; thread-safe, never blocks. */
  void release();
}
