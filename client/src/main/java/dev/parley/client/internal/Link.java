package dev.parley.client.internal;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One connection of a client to its namespace, in one transport: Socket.IO over WebSocket
 * ({@link EngineLink}) or Parley's SSE stream with HTTP posts ({@link SseLink}). It reports what arrives to
 * its {@link LinkListener} and its own end exactly once, unless the client ended it itself.
 */
interface Link {

  /** Sends a packet that {@link #prepare} encoded and checked. */
  @FunctionalInterface
  interface Outbound {
    /**
     * Queues the packet; it goes out in the order sent, or is dropped if the link has ended.
     *
     * @throws dev.parley.error.LimitExceededException if the packet is an event and the link's
     *     {@link OutboundBuffer} is full; nothing is queued
     */
    void send();
  }

  /** Completed with the channel id once the server accepted the client, or failed; the client completes it. */
  CompletableFuture<String> answer();

  /**
   * Encodes and checks a packet for this link without sending it, so that a caller can register what
   * the answer will complete before the packet can reach the server.
   *
   * @throws IllegalArgumentException if the packet cannot go over this link (too large, not serialisable)
   */
  Outbound prepare(Packet packet);

  /** Ends the link for a failure the client noticed, reporting it, and closes the connection now. */
  void fail(DisconnectReason reason, String detail);

  /** Closes the link on the client's behalf, without reporting it, once what is queued has been sent. */
  void closeAfterFlush();

  /** Closes the link now, dropping what is queued, without reporting it. */
  void abort();

  /** Waits for the connection to be closed, if it was ever opened; true if it is. */
  boolean awaitClosed(Duration timeout) throws InterruptedException;
}
