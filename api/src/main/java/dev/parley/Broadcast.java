package dev.parley;

import java.time.Duration;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * An immutable description of whom an emit reaches: the channels of a namespace in any of the target
 * rooms (all channels when there is none), minus those in any excluded room. Every modifier returns a
 * new {@code Broadcast}, so chains are cheap and safe to keep and reuse.
 *
 * <pre>{@code
 * server.to("lobby").to("support").except(channel).emit("notice", "maintenance at noon");
 * channel.broadcast().emit("typing", nick);   // everyone in the namespace but this channel
 * }</pre>
 *
 * <p>The packet is encoded once per wire format, whatever the number of recipients. Unless
 * {@link #local()}, the emit also travels over the store's bus to the same rooms on other nodes.
 */
public interface Broadcast extends Emitter {

  /**
   * Adds a target room.
   *
   * @throws IllegalArgumentException if the room name is invalid
   */
  Broadcast to(String room);

  /**
   * Excludes the members of a room (a channel id names the room of that one channel).
   *
   * @throws IllegalArgumentException if the room name is invalid
   */
  Broadcast except(String room);

  /** Excludes one channel. */
  Broadcast except(Channel channel);

  /** Restricts the emit and the operations below to channels on this node: nothing goes over the bus. */
  Broadcast local();

  /**
   * Makes the emit droppable (Socket.IO's {@code volatile}): a channel with anything still queued for it, on
   * any node, does not get it. For what a client that is behind can do without (a typing indicator, a cursor):
   * it gets the next one instead of a backlog.
   */
  Broadcast droppable();

  /**
   * How long the operations below wait: for {@link #emitWithAck}, the clients' acks (by default
   * {@link ChatServerConfig#ackTimeout()}); for the others, the other nodes' answers (by default
   * {@link ChatServerConfig#clusterTimeout()}).
   *
   * @throws IllegalArgumentException if the timeout is not positive
   */
  Broadcast timeout(Duration timeout);

  /**
   * Sends an event to every channel this broadcast selects, on every node, asking each client to acknowledge
   * it, and gathers the acks (Socket.IO's {@code timeout(ms).emitWithAck}): one {@link Reply} per client, its
   * {@link Reply#from()} the channel's id, this node's first, each node's in the order they came.
   *
   * @return the replies, once every selected client has answered; errors with {@link BroadcastAckException}
   *     holding the replies that did come if some client did not answer within the timeout (or left, or had
   *     {@link ChatServerConfig#maxPendingAcks()} acks pending), or some node did not answer within the
   *     timeout plus {@link ChatServerConfig#clusterTimeout()}
   * @throws IllegalArgumentException if the event name is invalid or reserved, or an argument is not
   *     serialisable
   * @throws IllegalStateException if the server is closed
   */
  Mono<List<Reply>> emitWithAck(String event, Object... args);

  /**
   * Joins every channel this broadcast selects, on every node, to {@code room} (Socket.IO's
   * {@code socketsJoin}); a channel already in it stays, one at {@link ChatServerConfig#maxRoomsPerChannel()}
   * is left out.
   *
   * @return completes once every node that was alive when this was called has done it (or died); errors with
   *     {@link dev.parley.error.ClusterException} naming the nodes that did not answer within the timeout
   * @throws IllegalArgumentException if the room name is invalid
   * @throws IllegalStateException if the server is closed
   */
  Mono<Void> join(String room);

  /**
   * Takes every channel this broadcast selects, on every node, out of {@code room} (Socket.IO's
   * {@code socketsLeave}); completes and fails as {@link #join(String)}.
   *
   * @throws IllegalArgumentException if the room name is invalid
   * @throws IllegalStateException if the server is closed
   */
  Mono<Void> leave(String room);

  /**
   * Disconnects every channel this broadcast selects, on every node, from its namespace (Socket.IO's
   * {@code disconnectSockets}); their clients learn it as a server-side disconnect. Completes and fails as
   * {@link #join(String)}.
   *
   * @throws IllegalStateException if the server is closed
   */
  Mono<Void> disconnect();

  /**
   * The channels this broadcast selects, on every node (Socket.IO's {@code fetchSockets}): this node's first,
   * then the others' as they answered, each node's in no particular order. At most
   * {@value #MAX_FETCHED} per node: a node with more answers with an error (narrow the selection, or count a
   * room's members with its presence).
   *
   * @return snapshots of the channels, to read or to act on; errors with {@link dev.parley.error.ClusterException}
   *     naming the nodes that did not answer within the timeout or had too many
   * @throws IllegalStateException if the server is closed
   */
  Mono<List<RemoteChannel>> fetchChannels();

  /** The most channels one node returns to {@link #fetchChannels()}. */
  int MAX_FETCHED = 10_000;
}
