package dev.parley;

import java.util.Collection;
import java.util.Optional;

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

  /** The channels connected to this namespace on this node; a snapshot. */
  Collection<Channel> channels();

  /** A channel connected to this namespace on this node. */
  Optional<Channel> channel(String id);
}
