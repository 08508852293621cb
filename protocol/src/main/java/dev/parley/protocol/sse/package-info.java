/**
 * Parley's Server-Sent Events format: the events a stream carries (one encoder, used by the server), the
 * WHATWG event-stream parser (used by the Java client and the tests), and the bodies clients POST.
 */
@NullMarked
package dev.parley.protocol.sse;

import org.jspecify.annotations.NullMarked;
