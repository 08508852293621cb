package dev.parley;

import dev.parley.protocol.DisconnectReason;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * One client connected to one namespace: Socket.IO's {@code socket}.
 *
 * <pre>{@code
 * server.namespace("/").onConnection(channel -> {
 *   channel.join("lobby", Replay.last(50));
 *   channel.on("chat", (ch, event) -> {
 *     ChatLine line = event.arg(0, ChatLine.class);
 *     ch.post("lobby", "chat", line).subscribe(message -> event.ack(message.id()));
 *   });
 *   channel.onDisconnect().subscribe(reason -> log.info("{} left: {}", channel.id(), reason));
 * });
 * }</pre>
 *
 * <h3>Threading</h3>
 * All methods may be called from any thread. Handlers of one channel run one at a time, in the order
 * the client's events arrived; handlers of different channels run in parallel. Outbound events are
 * queued in a bounded buffer; a client that does not read them fast enough is disconnected with
 * {@link DisconnectReason#SLOW_CONSUMER}.
 *
 * <h3>Lifecycle</h3>
 * A channel is connected from when its connection handler runs until it disconnects; then
 * {@link #onDisconnect()} emits its reason once, pending acks fail with
 * {@link dev.parley.error.ChannelClosedException}, it leaves every room, and later emits are dropped.
 */
public interface Channel extends Emitter {

  /** The channel's id, unique in the server, also the name of a room that holds just this channel. */
  String id();

  /** The namespace this channel is connected to. */
  Namespace namespace();

  /** What the client presented when it connected, as middleware left it. */
  Handshake handshake();

  /** The rooms this channel is in, including the one named by its id; a snapshot. */
  Set<String> rooms();

  /** Whether the channel is still connected. */
  boolean connected();

  /**
   * Per-channel values for the application (a user id, a nickname); thread-safe, mutable.
   */
  Map<String, Object> data();

  /**
   * Whether this channel is a disconnected one brought back by connection state recovery: a client
   * reconnected within {@link ChatServerConfig#maxDisconnectionDuration()} and presented the channel's
   * private id, so the channel has the same {@link #id()}, is in the same rooms and has the same
   * {@link #data()} (as JSON values: maps, lists, strings, numbers, booleans), and every posted message
   * it missed is on its way, in order, before the live ones. The connection handlers run for it as for a
   * new channel, after all that is restored: they register {@link #on} handlers again, and a
   * {@link #join(String, Replay)} of a room it is already in does nothing. Fixed for the channel's life.
   *
   * @see Namespace#connectionStateRecovery(boolean)
   */
  boolean recovered();

  /**
   * Joins a room, with live messages only. Same as {@code join(room, Replay.none())}, errors included.
   *
   * @throws IllegalArgumentException if the room name is invalid
   */
  Mono<Void> join(String room);

  /**
   * Joins a room (joining a room the channel is already in does nothing): the channel receives the messages {@code replay} selects, oldest first, then every
   * message posted to the room from then on, with no gap and no duplicate at the hand-over. Eager.
   *
   * @return a {@code Mono} that completes when the replayed messages are queued for the client, or
   *     errors if the store failed to read them (the channel stays in the room and receives live ones),
   *     or errors with {@link dev.parley.error.LimitExceededException} (and nothing is joined) if the
   *     channel is already in {@linkplain ChatServerConfig#maxRoomsPerChannel() as many rooms as allowed}
   * @throws IllegalArgumentException if the room name is invalid
   */
  Mono<Void> join(String room, Replay replay);

  /**
   * Joins a room as {@link #join(String, Replay)} does, and receives its posted messages as
   * {@code batching} says: one event each, or {@linkplain Batching#arrays(String) as arrays} (the replayed
   * history as one array, then each live message as an array of one). Fixed for the membership: a second
   * join of the same room does nothing, whatever its batching. A channel restored by connection state
   * recovery gets the posts it missed one event each, as {@link Batching#each()}.
   *
   * @return as {@link #join(String, Replay)}
   * @throws IllegalArgumentException if the room name is invalid
   * @throws NullPointerException if {@code replay} or {@code batching} is null
   */
  Mono<Void> join(String room, Replay replay, Batching batching);

  /**
   * Leaves a room. Leaving a room the channel is not in does nothing.
   *
   * @throws IllegalArgumentException if the room name is invalid, or is this channel's own id
   */
  Mono<Void> leave(String room);

  /**
   * Registers a handler for a named event from the client. Several handlers for one event run in
   * registration order.
   *
   * @return this channel
   * @throws IllegalArgumentException if the event name is invalid
   */
  Channel on(String event, EventHandler handler);

  /**
   * Sends an event and waits for the client's acknowledgement, with the server's default
   * {@linkplain ChatServerConfig#ackTimeout() ack timeout}. Eager.
   *
   * @return a {@code Mono} of the client's reply; errors with {@link dev.parley.error.AckTimeoutException},
   *     {@link dev.parley.error.ChannelClosedException} if the channel disconnects first, or
   *     {@link dev.parley.error.LimitExceededException} if too many acks are pending. It signals on the
   *     handler executor, never on an I/O thread.
   */
  Mono<Reply> emitWithAck(String event, Object... args);

  /** As {@link #emitWithAck(String, Object...)}, with the given timeout. */
  Mono<Reply> emitWithAck(Duration timeout, String event, Object... args);

  /**
   * Posts a durable message to a room on behalf of this channel: stored, then delivered to every
   * member of the room on every node except this channel. Eager.
   *
   * @return a {@code Mono} of the stored message (with its id); errors with a
   *     {@link dev.parley.error.StoreException} if the store refused it
   * @throws IllegalArgumentException if the room or event name is invalid or the payload is not serialisable
   */
  Mono<Message> post(String room, String event, Object payload);

  /** A broadcast to every channel of the namespace except this one. */
  Broadcast broadcast();

  /** A broadcast to a room, except this channel (Socket.IO's {@code socket.to(room)}). */
  Broadcast to(String room);

  /**
   * Completes with the reason once the channel has disconnected; signals on the handler executor after
   * the channel's queued handlers have run.
   */
  Mono<DisconnectReason> onDisconnect();

  /** Disconnects the channel from its namespace ({@link DisconnectReason#SERVER_NAMESPACE_DISCONNECT}). */
  void disconnect();
}
