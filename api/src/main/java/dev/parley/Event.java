package dev.parley;

import dev.parley.protocol.Arguments;

/**
 * An event a client sent: its name, its arguments, and the means to answer the client's callback.
 * Handed to an {@link EventHandler}; valid for as long as the application keeps it.
 */
public interface Event extends Arguments {

  /** The event name. */
  String name();

  /** The channel the event came from. */
  Channel channel();

  /** Whether the client asked for an acknowledgement (passed a callback). */
  boolean wantsAck();

  /**
   * Answers the client's callback with the given arguments. Does nothing if the client did not ask
   * for an ack. May be called from any thread, once.
   *
   * @throws IllegalStateException if the ack was already sent
   * @throws IllegalArgumentException if an argument cannot be serialised to JSON
   */
  void ack(Object... args);
}
