package dev.parley;

import dev.parley.protocol.Arguments;

/** A client's acknowledgement of an event the server sent with {@link Channel#emitWithAck}. */
public interface Reply extends Arguments {
}
