package dev.parley;

import dev.parley.protocol.Arguments;

/**
 * An event another node sent to this one with {@link Namespace#serverSideEmit} or
 * {@link Namespace#serverSideEmitWithAck}: its name, arguments, sender, and the means to answer it.
 */
public interface ServerEvent extends Arguments {

  /** The event name. */
  String name();

  /** The id of the node that sent it ({@link ChatServerConfig#nodeId()}). */
  String node();

  /** Whether the sender waits for an answer ({@link Namespace#serverSideEmitWithAck}). */
  boolean wantsAck();

  /**
   * Answers the sender; does nothing if it asked for no answer. May be called from any thread, once. An
   * answer that comes after the sender's timeout is dropped there.
   *
   * @throws IllegalStateException if the event was already answered
   * @throws IllegalArgumentException if an argument cannot be serialised to JSON
   */
  void ack(Object... args);
}
