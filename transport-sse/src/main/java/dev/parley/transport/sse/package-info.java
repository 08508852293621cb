/**
 * The Server-Sent Events transport: a browser needs only {@code new EventSource(url)} to receive a
 * room's history then its live messages, and {@code fetch} to send. See
 * {@link dev.parley.transport.sse.SseTransport} for the wire format.
 */
@NullMarked
package dev.parley.transport.sse;

import org.jspecify.annotations.NullMarked;
