package dev.parley;

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

  /** Restricts the emit to channels on this node: nothing goes over the bus. */
  Broadcast local();
}
