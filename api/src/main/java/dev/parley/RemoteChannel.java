package dev.parley;

import java.util.Set;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * A channel as {@link Broadcast#fetchChannels()} found it, on this node or another: a snapshot of its id, rooms,
 * handshake and {@link Channel#data()}, and the means to act on it wherever it is. Immutable; the actions go to
 * the node that holds the channel (over the store's bus when that is another node), and do nothing if the
 * channel has gone meanwhile.
 */
public interface RemoteChannel extends Emitter {

  /** The channel's id. */
  String id();

  /** The id of the node that holds it. */
  String node();

  /** The rooms it was in, its own room (its id) included. */
  Set<String> rooms();

  /**
   * Its handshake, without what does not travel between nodes: cookies, middleware's attributes, and the
   * principal but for its name (a principal whose {@code getName()} is that name).
   */
  Handshake handshake();

  /**
   * Its {@link Channel#data()} as JSON: an object with one field per entry; an entry whose value Jackson cannot
   * write is left out.
   */
  JsonNode data();

  /**
   * Joins the channel to a room on its node.
   *
   * @return completes once joined (or the channel was found gone); errors with
   *     {@link dev.parley.error.ClusterException} if its node did not answer in time
   * @throws IllegalArgumentException if the room name is invalid
   */
  Mono<Void> join(String room);

  /** Takes the channel out of a room on its node; completes and fails as {@link #join(String)}. */
  Mono<Void> leave(String room);

  /** Disconnects the channel from its namespace on its node; completes and fails as {@link #join(String)}. */
  Mono<Void> disconnect();
}
