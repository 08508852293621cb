package dev.parley;

import dev.parley.protocol.Arguments;

/** An answer: a client's ack of an event sent with {@link Channel#emitWithAck}, or another node's. */
public interface Reply extends Arguments {

  /**
   * Who answered: the channel's id for a client's ack, the node's id for an answer to
   * {@link Namespace#serverSideEmitWithAck}.
   */
  String from();
}
