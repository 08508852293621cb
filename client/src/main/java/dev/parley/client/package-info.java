/**
 * A Java client for Parley's WebSocket transport and any Socket.IO v5 server: Engine.IO v4 over WebSocket
 * (no long-polling), namespaces, acknowledgements in both directions, binary attachments, heartbeats,
 * and automatic reconnection with backoff; and, with the same API, for Parley's Server-Sent Events
 * transport on the JDK HttpClient, resuming with {@code Last-Event-ID} ({@link dev.parley.client.ClientTransport}).
 * Start with {@link dev.parley.client.ParleyClient#builder}.
 */
@NullMarked
package dev.parley.client;

import org.jspecify.annotations.NullMarked;
