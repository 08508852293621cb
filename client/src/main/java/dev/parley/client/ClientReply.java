package dev.parley.client;

import dev.parley.protocol.Arguments;

/**
 * The server's acknowledgement of an event the client sent with {@link ParleyClient#emitWithAck}: the
 * arguments the server's handler passed to {@code event.ack(...)}, as JSON trees (binary ones as
 * {@code BinaryNode}s, read with {@link #bytes(int)}). Immutable.
 */
public interface ClientReply extends Arguments {
}
