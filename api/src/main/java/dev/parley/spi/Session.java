package dev.parley.spi;

import dev.parley.DisconnectReason;
import java.util.List;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

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

  /**
   * Delivers an event from a request/response transport (an HTTP POST) and returns the handlers' answer,
   * so the response can carry it. The event goes through the same checks and the same per-channel order
   * as {@link #receive}.
   *
   * @param awaitLateAck whether to wait for an ack the handlers send after returning (say, once a post
   *     is stored); the caller bounds that wait with its own timeout
   * @return the ack's arguments; empty if there is no handler, or the handlers returned without acking
   *     and {@code awaitLateAck} is false; an error with {@link IllegalArgumentException} for an invalid
   *     event name, or {@link dev.parley.error.ChannelClosedException} if the session has no channel in
   *     that namespace
   */
  Mono<List<JsonNode>> request(String namespace, String event, List<JsonNode> args, boolean awaitLateAck);

  /** Tells the engine the connection has gone (or failed); idempotent. */
  void closed(DisconnectReason reason);
}
