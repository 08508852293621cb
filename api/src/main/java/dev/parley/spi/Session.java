package dev.parley.spi;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import java.util.List;
import org.jspecify.annotations.Nullable;
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
   * Admits a frame the client sent, before the transport parses its payload (reading its header is cheap:
   * the namespace, whether it is a CONNECT, its ack id). The frame counts against the connection's event
   * rate limit (every namespace together; a CONNECT counts too, so joining and leaving namespaces is limited
   * as well) and its {@code cost} against the inbound byte budget, the connection's and the node's.
   * Non-blocking and thread-safe: a WebSocket calls it in arrival order from one thread at a time, a
   * request/response transport from whichever threads its requests arrive on.
   *
   * <p>If the frame is refused, the engine has answered the client already when the frame asked for an
   * answer: an ack {@code {"error": "rate limited"}} or {@code {"error": "server busy"}} when {@code ackId}
   * is not null, a CONNECT_ERROR with that message for a CONNECT. The transport drops the frame unparsed, and
   * closes the connection for {@link Inbound.Refusal#TOO_LARGE} (WebSocket close 1009). A request/response
   * transport passes no ack id and answers with an HTTP status instead.
   *
   * @param namespace the namespace the frame names (as sent; it is not validated here)
   * @param connect whether the frame is a CONNECT
   * @param ackId the ack id the frame asks for, if any
   * @param cost what the frame will hold once parsed, in bytes ({@code JsonCost.of} estimates it)
   * @return the frame, admitted or refused; hand an admitted one to {@link #receive(Packet, Inbound)}
   */
  Inbound admit(String namespace, boolean connect, @Nullable Long ackId, long cost);

  /**
   * Holds the bytes of a request body while it is read (an HTTP long-polling {@code POST}), before the frames it
   * carries can be {@link #admit admitted}: they count against the connection's and the node's inbound budget as
   * they arrive, not against the rate limit. Non-blocking and thread-safe.
   *
   * @return the hold, empty at first: {@link Inbound#grow grow} it by each part of the body as it arrives (false
   *     once the body no longer fits: the transport drops it) and {@link Inbound#cancel cancel} it once the body
   *     has been split into frames, each then admitted on its own, or dropped. Refused
   *     {@link Inbound.Refusal#BUSY} if the session has ended
   */
  Inbound hold();

  /**
   * Hands the engine a packet the client sent, parsed from a frame {@link #admit admitted} before, whose
   * bytes the engine gives back once the packet has been handled. Called in arrival order, from one thread
   * at a time; never blocks. Protocol violations the engine detects (an ack id never issued, a packet for a
   * namespace the client is not in) close the connection with {@link DisconnectReason#PARSE_ERROR}.
   *
   * @param admitted the frame as admitted, or null for a packet that was not: the engine then applies the
   *     rate limit itself (and no byte budget)
   */
  void receive(Packet packet, @Nullable Inbound admitted);

  /** {@link #receive(Packet, Inbound) receive(packet, null)}: the rate limit applies, no byte budget. */
  default void receive(Packet packet) {
    receive(packet, null);
  }

  /**
   * A client's ack from a request/response transport, which cannot close a connection for a protocol
   * violation the way a WebSocket does: an unknown ack id is refused instead. Non-blocking.
   *
   * @return false if the session has no channel in the ack's namespace or the ack id was never issued;
   *     the session stays open. An ack for an id already answered or timed out is accepted and ignored, as
   *     a late ack is no protocol violation
   */
  boolean acknowledge(Packet.Ack ack);

  /**
   * Queues a frame of the transport's own protocol that carries no packet (an Engine.IO pong or noop) in the
   * connection's outbound buffer, behind what is queued already, so that its bytes count against the same
   * bound as every packet; the engine hands it back to {@link Connection#write} as a {@link Packet.Control}.
   * Non-blocking.
   *
   * @return false if the buffer refused it: the session is closed, or is being cut off as a slow consumer
   */
  boolean sendControl(String frame);

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

  /**
   * As {@link #request(String, String, List, boolean)}, for an event whose body was {@link #admit admitted}
   * (with no ack id) before it was parsed: the rate limit was applied then, and the body's bytes are given
   * back once the handlers have answered.
   */
  Mono<List<JsonNode>> request(String namespace, String event, List<JsonNode> args, boolean awaitLateAck,
                               Inbound admitted);

  /**
   * Tells the engine the connection has gone (or failed), as soon as the transport sees it end; idempotent,
   * non-blocking, from any thread.
   *
   * <p>The reason the engine gave wins; the transport's report only counts when the engine gave none. If
   * the engine closed the connection ({@link Connection#close}), shut the server down, or removed a channel
   * whose DISCONNECT made the transport end the connection, the channels keep the reason the engine gave
   * them, whenever this report arrives, before or after {@code Connection.close} returns. Only the channels
   * the engine has said nothing to (the client went away, a write failed) end with {@code reason}.
   *
   * @param reason what the transport saw: {@link DisconnectReason#TRANSPORT_CLOSE},
   *     {@link DisconnectReason#TRANSPORT_ERROR}, {@link DisconnectReason#PING_TIMEOUT}...
   */
  void closed(DisconnectReason reason);
}
