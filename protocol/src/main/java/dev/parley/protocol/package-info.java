/**
 * The vocabulary both ends of a connection share: {@link dev.parley.protocol.Packet} and its
 * {@link dev.parley.protocol.Arguments}, {@link dev.parley.protocol.DisconnectReason}, the rules for
 * namespace, room and event names ({@link dev.parley.protocol.Names}), and the guards every reader of client
 * input applies ({@link dev.parley.protocol.JsonDepth}, {@link dev.parley.protocol.JsonCost},
 * {@link dev.parley.protocol.LogSafe}).
 */
@NullMarked
package dev.parley.protocol;

import org.jspecify.annotations.NullMarked;
