package dev.parley.spi;

import dev.parley.DisconnectReason;

/**
 * The engine's side of one client connection, which a transport feeds. Obtained from
 * {@link TransportContext#open}.
 */
public interface Session {

  /** The session id (Engine.IO's {@code sid}). */
  String id();

  /**
   * Hands the engine a packet the client sent. Called in arrival order, from one thread at a time;
   * never blocks. Protocol violations the engine detects (an ack id never issued, a packet for a
   * namespace the client is not in) close the connection with {@link DisconnectReason#PARSE_ERROR}.
   */
  void receive(Packet packet);

  /** Tells the engine the connection has gone (or failed); idempotent. */
  void closed(DisconnectReason reason);
}
