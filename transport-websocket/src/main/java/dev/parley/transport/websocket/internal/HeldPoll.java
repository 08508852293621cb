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

  /**
   * Has {@code owner} forget this GET if the client abandons it (or the container gives up on it) before it is
   * answered.
   */
  void onGone(Owner owner);

  /**
   * What holds the GET: its session, itself rather than a callback made per GET, as a held GET is kept per idle
   * session.
   */
  @FunctionalInterface
  interface Owner {
    /** Forgets {@code held}, which its client abandoned. */
    void forget(HeldPoll held);
  }
}
