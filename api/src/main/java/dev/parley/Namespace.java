package dev.parley;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * An isolated partition of a server ({@code "/"} by default): its own middleware, connection handlers,
 * channels and rooms, multiplexed over one client connection.
 *
 * <pre>{@code
 * Namespace admin = server.namespace("/admin");
 * admin.use(handshake -> requireAdmin(handshake));
 * admin.onConnection(channel -> channel.on("kick", (ch, e) -> kick(e.arg(0, String.class))));
 * }</pre>
 *
 * <p>Thread-safe. Middleware and connection handlers may be added at any time; they apply to
 * connections that arrive afterwards.
 */
public interface Namespace extends Emitter {

  /** The namespace name, starting with {@code /}. */
  String name();

  /**
   * Adds middleware that checks every handshake to this namespace.
   *
   * @return this namespace
   */
  Namespace use(Middleware middleware);

  /**
   * Adds a handler that runs for every new channel.
   *
   * @return this namespace
   */
  Namespace onConnection(ConnectionHandler handler);

  /**
   * Turns connection state recovery on (the default) or off for this namespace. With it on, a Socket.IO
   * client whose connection drops for any reason but its own or the server's explicit disconnect (a
   * network failure, a ping timeout, a slow consumer, a server restart) and that reconnects within
   * {@link ChatServerConfig#maxDisconnectionDuration()} gets its channel back, on any node sharing the
   * store: same id, rooms and {@link Channel#data()}, and every posted message it missed, once, in order
   * ({@link Channel#recovered()}). Emits are not recovered. Middleware runs again on a recovered
   * handshake, so a client that is no longer allowed in is refused (Socket.IO can skip it).
   *
   * <p>On the wire, every event without an ack that a Socket.IO client receives in a namespace with
   * recovery on carries one more argument, last: the message id (its offset) for a posted message, and
   * {@code null} for an emit whose last argument is a string or null (so that the client does not take
   * that string for an offset). Set this before clients connect, in the server's builder.
   *
   * @param enabled whether channels of this namespace can be recovered
   * @return this namespace
   */
  Namespace connectionStateRecovery(boolean enabled);

  /**
   * A room of this namespace.
   *
   * @throws IllegalArgumentException if the room name is invalid
   */
  Room room(String name);

  /** A broadcast to a room of this namespace. */
  Broadcast to(String room);

  /** A broadcast to every channel of this namespace but the members of a room. */
  Broadcast except(String room);

  /**
   * Tracks who is in this namespace's rooms on every node, for {@link Room#presence()}. Call it on every node,
   * best in the builder's namespace setup, before the server starts (a node that does not track a namespace
   * neither tells the others of its members nor learns of theirs; one that starts tracking later asks the others
   * for theirs then). Each node then keeps the namespace's whole presence: about 150 bytes per channel in a
   * room, beside one bus message per batch of joins and leaves.
   *
   * @return this namespace
   */
  Namespace trackPresence();

  /**
   * Every channel of this namespace, on every node: the broadcast that {@link #to(String)} and
   * {@link #except(String)} narrow, for {@link Broadcast#fetchChannels()}, {@link Broadcast#disconnect()} and
   * the like on all of them.
   */
  Broadcast broadcast();

  /** The channels connected to this namespace on this node; a snapshot. */
  Collection<Channel> channels();

  /** A channel connected to this namespace on this node. */
  Optional<Channel> channel(String id);

  /**
   * Handles {@code event} when another node sends it with {@link #serverSideEmit} or
   * {@link #serverSideEmitWithAck} (Socket.IO's {@code serverSideEmit}). A namespace's server events are
   * handled one at a time, in the order they arrived; several handlers for one event run in the order they were
   * added, and the first to answer answers. May be called before or after start.
   *
   * @return this namespace
   * @throws IllegalArgumentException if the event name is invalid
   */
  Namespace onServerEvent(String event, ServerEventHandler handler);

  /**
   * Sends an event to this namespace on every other node sharing the store; their
   * {@link #onServerEvent} handlers get it. Not to clients, and not to this node.
   *
   * @return completes once the event is handed to the store's bus; errors if the bus refused it
   * @throws IllegalArgumentException if the event name is invalid or an argument is not serialisable
   * @throws IllegalStateException if the server is closed
   */
  Mono<Void> serverSideEmit(String event, Object... args);

  /**
   * Sends an event to this namespace on every other node and gathers their answers
   * ({@link ServerEvent#ack}): one {@link Reply} per node whose handler answered, its
   * {@link Reply#from()} the node's id. A node with no handler for the event says so at once and gives no
   * reply; a handler that does not answer within {@code timeout} gives none either (and its node is named in the
   * error).
   *
   * @return the answers, once every node that was alive when this was called has answered or died (an empty
   *     list at once when there is no other node); errors with {@link dev.parley.error.ClusterException} naming
   *     the nodes whose handler did not answer within {@code timeout}
   * @throws IllegalArgumentException if the event name is invalid, an argument is not serialisable, or the
   *     timeout is not positive
   * @throws IllegalStateException if the server is closed
   */
  Mono<List<Reply>> serverSideEmitWithAck(Duration timeout, String event, Object... args);
}
