package dev.parley;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A snapshot of what one {@link ChatServer} node holds for its clients right now, from
 * {@link ChatServer#stats()}. Once every client has gone, each count settles back to zero; a count that
 * stays above zero with no client connected is a leak.
 *
 * <pre>{@code
 * ServerStats stats = server.stats();
 * log.info("{} channels in {} rooms, {} packets queued", stats.channels(), stats.rooms(), stats.queuedPackets());
 * await().until(() -> server.stats().isIdle());   // in a test, after the clients have left
 * }</pre>
 *
 * <p>The counts are read one after the other while clients come and go, so under load they need not
 * agree with each other exactly; each is exact once the node is quiet.
 *
 * @param sessions client connections the engine has a session for (one per WebSocket or SSE stream, with
 *     or without a channel yet)
 * @param channels channels connected on this node, over all namespaces
 * @param rooms rooms with at least one member on this node, over all namespaces (each channel's own room
 *     included)
 * @param roomMemberships memberships of channels in rooms on this node, each channel's own room included:
 *     a channel in two rooms besides its own counts three
 * @param pendingAcks acks the server waits for from its clients ({@link Channel#emitWithAck})
 * @param acksOwed events that clients sent asking for an ack which the server has not yet answered (no
 *     {@link Event#ack} yet), on channels still connected
 * @param queuedPackets packets queued for clients and not yet written, including those being written
 * @param queuedBytes bytes of those packets (and of pongs and other control frames), as their connections
 *     weighed them for {@link ChatServerConfig#outboundBufferBytes()}; a broadcast counts once per connection
 * @param inboundBytes bytes of frames read from clients and not yet handled, as estimated for
 *     {@link ChatServerConfig#maxInboundBytes()}
 * @param timers tasks waiting on the server's timer scheduler, which the engine and the transports use:
 *     ack timeouts, heartbeats, pong deadlines, connect deadlines and the like; a periodic task counts
 *     until it is cancelled. The node's own heartbeat to the other nodes sharing its store is not counted
 * @param addresses remote addresses holding at least one connection, as counted for
 *     {@link ChatServerConfig#maxConnectionsPerAddress()}
 * @param recoverySaves recoverable channels' states on their way to the store after their connection dropped
 *     ({@link ChatServerConfig#maxDisconnectionDuration()}): once zero, another node can restore every one of them
 * @param transports what each transport holds open, keyed {@code "<transport>.<what>"}, such as
 *     {@code "websocket.sockets"} or {@code "sse.streams"}; transports that keep no count are absent
 * @param rateLimitedEvents events refused by the channels' rate limit
 *     ({@link ChatServerConfig#maxEventsPerSecond()}) since the server started: a running total, not a
 *     holding, so it takes no part in {@link #isIdle()}
 * @param busyEvents frames refused because the node's or their connection's inbound budget was spent
 *     ({@code "server busy"}), since the server started: a running total, like {@code rateLimitedEvents}
 */
public record ServerStats(
    int sessions,
    int channels,
    int rooms,
    int roomMemberships,
    int pendingAcks,
    int acksOwed,
    int queuedPackets,
    long queuedBytes,
    long inboundBytes,
    int timers,
    int addresses,
    int recoverySaves,
    Map<String, Integer> transports,
    long rateLimitedEvents,
    long busyEvents) {

  /** Copies {@code transports} into an immutable map sorted by key. */
  public ServerStats {
    Objects.requireNonNull(transports, "transports");
    transports = Collections.unmodifiableMap(new TreeMap<>(transports));
  }

  /**
   * Whether the node holds nothing for any client: every count, the transports' included, is zero
   * ({@link #rateLimitedEvents()}, a running total, aside). A node whose clients have all gone becomes idle
   * once its transports have noticed they left.
   */
  public boolean isIdle() {
    return sessions == 0 && channels == 0 && rooms == 0 && roomMemberships == 0 && pendingAcks == 0
        && acksOwed == 0 && queuedPackets == 0 && queuedBytes == 0 && inboundBytes == 0 && timers == 0 && addresses == 0
        && recoverySaves == 0
        && transports.values().stream().allMatch(count -> count == 0);
  }
}
