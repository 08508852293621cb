package dev.parley;

import dev.parley.protocol.Names;

/**
 * How a channel receives a room's posted messages: one event per message (the default), or as arrays, the way
 * a page that renders "a list of messages" wants them.
 *
 * <pre>{@code
 * channel.join(room, Replay.all(), Batching.arrays("messages")); // [m1, m2, ...], then [m3], then [m4], ...
 * }</pre>
 */
public sealed interface Batching {

  /** One event per message, under the event name it was posted with: the default. */
  static Batching each() {
    return Each.INSTANCE;
  }

  /**
   * Every message under one event name, whose one argument is an array of payloads: the replayed history as
   * one array (an empty array when the replay finds nothing; no such event with {@link Replay#none()}), then
   * each live message as an array of one. A replay longer than {@link ChatServerConfig#maxHistoryPage()}
   * (1,000) comes as several arrays of at most that many, so that no array holds more than a history page. An array's message id (SSE's {@code id:}, the offset connection
   * state recovery resumes from) is the id of its last message, so a client that resumes with it gets what
   * came after the whole array. The channel's own posts are left out of the arrays, as they are of single
   * events.
   *
   * @param event the event name the arrays are sent under
   * @throws IllegalArgumentException if the event name is invalid (empty, or reserved by Socket.IO)
   */
  static Batching arrays(String event) {
    return new Arrays(event);
  }

  /** One event per message. */
  enum Each implements Batching {
    INSTANCE
  }

  /** Arrays of payloads under one event name. */
  record Arrays(String event) implements Batching {
    public Arrays {
      Names.event(event);
    }
  }
}
