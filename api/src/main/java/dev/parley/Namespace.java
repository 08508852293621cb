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
