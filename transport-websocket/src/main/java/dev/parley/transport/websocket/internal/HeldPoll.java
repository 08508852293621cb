package dev.parley.transport.websocket.internal;

import dev.parley.spi.Connection.WriteCallback;

/**
 * A long-poll {@code GET} held until its session has something to send: on an asynchronous Servlet request
 * ({@link ServletPoll}) or on Jetty's core API ({@link CorePoll}).
 */
interface HeldPoll {
  /**
   * Answers the GET with {@code body} (200, {@code text/plain}) without blocking, and completes it; {@code done}
   * hears once the body is written or the answer failed.
   */
  void answer(byte[] body, WriteCallback done);

  /** Runs {@code gone} if the client abandons the GET (or the container gives up on it) before it is answered. */
  void onGone(Runnable gone);
}
