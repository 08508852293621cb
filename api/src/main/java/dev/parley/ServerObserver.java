package dev.parley;

/**
 * Told by the engine what happens on one {@link ChatServer} node, as it happens: connections opening and
 * closing, events in and out, refusals, recoveries, replays, store appends and ack round trips. The hook for
 * metrics ({@code parley-micrometer} counts these) and for tracing, without the engine depending on either.
 * Registered with {@link ChatServer#observe}; every method does nothing by default, so an observer overrides
 * only what it needs.
 *
 * <pre>{@code
 * LongAdder refused = new LongAdder();
 * Disposable registration = server.observe(new ServerObserver() {
 *   @Override
 *   public void eventRefused(String namespace, String cause) {
 *     refused.increment();
 *   }
 * });
 * ...
 * registration.dispose();   // no more calls
 * }</pre>
 *
 * <h3>Contract</h3>
 * Methods are called on the engine's own threads (each method says which), often on a hot path, so an
 * observer must be fast and must not block: count, record, and return. It must be thread-safe, since calls
 * come from many threads at once, and it must not throw: an exception it throws anyway is caught, logged (at
 * warn for its first failure, then at debug) and otherwise ignored; it never breaks the engine, and the
 * observer keeps being called. No call is made for something that happened before the observer was
 * registered, and none starts once {@link reactor.core.Disposable#dispose()} has returned (a call already
 * running on another thread may still finish).
 *
 * <p>The strings passed are bounded sets, except namespace names, which the application chooses and which may
 * be dynamic: an observer that turns them into metric tags should bound how many it keeps. Room names and
 * channel ids are never passed.
 */
public interface ServerObserver {

  /**
   * A client connection opened: an Engine.IO session (a WebSocket, or a long-polling session) or an SSE
   * stream, before it has joined any namespace. Called on the transport's thread that accepted it.
   *
   * @param transport the name of the transport the connection came through: {@code "websocket"},
   *     {@code "polling"} (an Engine.IO long-polling session, also after it upgraded to a WebSocket),
   *     {@code "sse"}, or another transport's name
   */
  default void connectionOpened(String transport) {
  }

  /**
   * A client connection closed, once per connection that was {@linkplain #connectionOpened opened}. Called on
   * the thread that ended it: a transport's thread (the client went away), a timer thread (a ping timeout, no
   * namespace joined in time), the thread writing to it (a slow consumer) or the thread closing the server.
   *
   * @param transport as for {@link #connectionOpened}
   * @param reason the Socket.IO disconnect reason, one of the
   *     {@link dev.parley.protocol.DisconnectReason#wireName() wire names} of
   *     {@link dev.parley.protocol.DisconnectReason}: {@code "transport close"}, {@code "transport error"},
   *     {@code "ping timeout"}, {@code "parse error"}, {@code "slow consumer"}, {@code "server shutting down"},
   *     {@code "forced server close"} (no namespace joined within
   *     {@link ChatServerConfig#connectTimeout()}), {@code "message too large"}, and, as the enum allows,
   *     {@code "client namespace disconnect"}, {@code "server namespace disconnect"}, {@code "rate limited"}
   */
  default void connectionClosed(String transport, String reason) {
  }

  /**
   * An event from a client, past the connection's rate limit and inbound budget, was handed to its
   * channel's handlers (which run later, on the handler executor). Called on the transport's thread that
   * read it. Events for a namespace the client has not joined, and events with an invalid name, are dropped
   * before this point and not reported.
   *
   * @param namespace the channel's namespace
   */
  default void eventReceived(String namespace) {
  }

  /**
   * The application emitted one event on this node: {@link Channel#emit}, {@link Channel#emitWithAck}, or a
   * broadcast ({@link ChatServer#emit}, {@link Namespace#emit}, {@link Room#emit}, {@link Broadcast#emit}).
   * Called on the thread that emitted, once the packet is queued for every recipient on this node. Emits
   * that come from other nodes through the store's bus, and {@linkplain Room#post posts}, are not reported
   * here (posts are timed by {@link #storeAppend}).
   *
   * @param namespace the namespace emitted to
   * @param deliveries the channels on this node it was queued for (zero when nobody here was targeted);
   *     other nodes' channels are not counted
   */
  default void eventSent(String namespace, int deliveries) {
  }

  /**
   * A connection was closed because its bounded outbound buffer was full: the client does not read fast
   * enough ({@link ChatServerConfig#outboundBufferSize()}, {@link ChatServerConfig#outboundBufferBytes()},
   * {@link ChatServerConfig#nodeOutboundBytes()}). Called on the thread that found the buffer full (one
   * queuing a packet for it, or one writing), after {@link #connectionClosed} with {@code "slow consumer"}.
   *
   * @param transport as for {@link #connectionOpened}
   */
  default void slowConsumerDisconnected(String transport) {
  }

  /**
   * An event (or a CONNECT to a namespace) from a client was refused before reaching any handler, as
   * counted in {@link ServerStats#rateLimitedEvents()} and {@link ServerStats#busyEvents()}. Called on the
   * transport's thread that read it.
   *
   * @param namespace the namespace the client named, if this server has it; {@code ""} if it has no such
   *     namespace (a client may name anything, and its text is not passed on)
   * @param cause {@code "rate limited"} (over {@link ChatServerConfig#maxEventsPerSecond()}) or
   *     {@code "server busy"} (over the connection's or the node's inbound budget,
   *     {@link ChatServerConfig#maxInboundBytes()}, {@link ChatServerConfig#nodeInboundBytes()})
   */
  default void eventRefused(String namespace, String cause) {
  }

  /**
   * A client that presented a saved session for connection state recovery
   * ({@link Namespace#connectionStateRecovery(boolean)}) was answered: its channel came back, with its id,
   * rooms and data ({@code success}), or there was nothing to take back (expired, unknown, history no longer
   * reaching its place, a store failure) and it got a new channel. Called on the handler executor, during the
   * handshake. A client whose connection went while its session was being taken back is not reported (its
   * session is kept for its next attempt).
   *
   * @param success whether the channel was recovered
   */
  default void recovered(boolean success) {
  }

  /**
   * A replay of a room's history into a channel ended: {@link Channel#join(String, Replay)} with a replay, or
   * a recovered channel catching up on each of its rooms. Called once per replay, also when it found
   * nothing, on the thread that ended it (usually the store's).
   *
   * @param messages the posted messages sent to the client by this replay (those it posted itself are not
   *     sent back and not counted)
   */
  default void replayed(int messages) {
  }

  /**
   * A post's append to the store completed ({@link Room#post}, {@link Channel#post}). Called on the thread
   * the store completes it on.
   *
   * @param nanos the time from handing the post to the store to its answer, in nanoseconds
   * @param success whether the store stored it
   */
  default void storeAppend(long nanos, boolean success) {
  }

  /**
   * A server {@link Channel#emitWithAck} ended: the client acked, or the timeout passed first. Called on the
   * transport's thread that read the ack, or on the timer thread for a timeout. An ack that fails because
   * the channel disconnected first is not reported.
   *
   * @param nanos the time from the emit to the ack or the timeout, in nanoseconds
   * @param answered true if the client acked, false if the timeout passed
   */
  default void ackRoundTrip(long nanos, boolean answered) {
  }
}
