/**
 * What a connection owes its peer and waits for from it: the session's bounded {@link
 * dev.parley.internal.outbound.Outbox}, which batches packets onto the transport on the flush executor, and
 * the channel's {@link dev.parley.internal.outbound.AckRegistry}, the acks it waits for from the client.
 * Leaf classes: they know the SPI and the protocol, never the engine classes that use them. Not exported.
 */
@NullMarked
package dev.parley.internal.outbound;

import org.jspecify.annotations.NullMarked;
