package dev.parley.spi;

import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.protocol.Checks;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Durable messages and the bus between nodes.
 *
 * <h3>Contract (checked by {@code StoreContractTest} in {@code parley-test})</h3>
 * <ul>
 *   <li>{@link #append} assigns an id. Ids are fixed-width strings that order the messages <em>within a
 *   room</em>: their natural ({@link String#compareTo}) order is the order in which {@link #feed()} emits
 *   the room's messages, and it only grows, so "after id X" is exact for that room. Ids of different
 *   rooms need not be comparable (a store may number each room on its own), and a message's id is
 *   unique only within its room.
 *   <li>{@link #history} returns oldest first, as {@link HistoryQuery} describes; a cursor is compared
 *   with the room's ids as a String, whatever it holds.
 *   <li>{@link #feed()} emits every appended message, from every node sharing the store, each room's
 *   messages in id order; how the messages of different rooms interleave is not defined.
 *   <li>Names are plain values: room names and payload keys are never interpreted as queries.
 *   <li>Sessions (for connection state recovery, where the store supports them): a state saved with
 *   {@link #saveSession} is returned by {@link #takeSession} at most once across every node, replaced by
 *   a later save under its key, gone once its ttl has passed; namespaces and private ids are plain values.
 *   <li>{@link #health()} completes with one value, promptly, and never errors.
 * </ul>
 */
public interface Store {

  /** Prepares the store (connections, indexes). Idempotent: a shared store is started by each user. */
  Mono<Void> start();

  /** Releases what {@link #start} acquired. */
  Mono<Void> stop();

  /** Stores a message; completes with it, id and time assigned, once it is durable. */
  Mono<Message> append(Post post);

  /** A page of a room's history, oldest first. */
  Flux<Message> history(String namespace, String room, HistoryQuery query);

  /** Every appended message from every node, each room's in id order, from subscription on; hot. */
  Flux<Message> feed();

  /**
   * Whether {@link #feed()} emits the room's messages in id order, as the contract above asks. A store may
   * answer false for rooms whose messages are written by others and come in commit order (a collection the
   * application writes): the engine then drops a live message at a join's hand-over only if the replay read
   * it, not because an id after it was delivered. Ids must still be unique and ordered for history and
   * "after id X". Called once per join; must be cheap.
   *
   * @return true by default
   */
  default boolean feedInIdOrder(String namespace, String room) {
    return true;
  }

  /** The bus for ephemeral emits between nodes. */
  Bus bus();

  /**
   * Checks whether the store can serve now, for a health endpoint or a load balancer's readiness probe.
   * A store checks what it depends on that can fail while it runs: that its database answers, and that the
   * streams behind {@link #feed()} and {@link #bus()} are delivering; what it found goes in the details
   * (see the store's own documentation for their keys). A store that is not started, or was stopped,
   * reports down.
   *
   * <p>The check must be cheap and must complete quickly whatever the database does: a store bounds each
   * remote call it makes with a short timeout of its own (a few seconds at most) and reports a failure or a
   * timeout as down with the error's message in the details, never as an error signal. Callers apply a
   * timeout as well, and may call this often (every few seconds) and from several threads at once.
   *
   * <p>The default, for stores that cannot tell, completes at once with up and no details.
   *
   * @return the store's health; completes with one value, never empty and never an error. It may complete
   *     on a thread of the store's driver or of a Reactor timer, not necessarily the subscriber's; nothing
   *     blocks the subscribing thread.
   */
  default Mono<StoreHealth> health() {
    return Mono.just(StoreHealth.up(Map.of()));
  }

  /**
   * Saves a disconnected channel's state under its private id for at most {@code ttl}, for connection
   * state recovery. The state is opaque to the store; a save replaces earlier state under the same
   * ({@code namespace}, {@code privateId}) key and restarts its ttl. Both names are plain values.
   *
   * <p>The default does nothing and completes empty: a store that does not override this and
   * {@link #takeSession} keeps no sessions, so the engine never recovers a connection on it.
   *
   * @param namespace the channel's namespace
   * @param privateId the channel's private id, known only to the engine and that channel's client
   * @param state the state to keep, opaque to the store
   * @param ttl how long the state may be taken; positive
   * @return completes once the state is durable (visible to {@link #takeSession} on every node sharing
   *     the store), or errors with a {@link dev.parley.error.StoreException} if it could not be saved
   */
  default Mono<Void> saveSession(String namespace, String privateId, String state, Duration ttl) {
    return Mono.empty();
  }

  /**
   * Removes and returns the state saved under the private id, unless its ttl has passed. Across all
   * nodes sharing the store at most one caller gets a given state, so a session is recovered at most
   * once.
   *
   * <p>The default completes empty (no support; see {@link #saveSession}).
   *
   * @param namespace the channel's namespace
   * @param privateId the private id the state was saved under
   * @return the state, or empty if there is none, it expired or another caller took it; errors with a
   *     {@link dev.parley.error.StoreException} if the store could not be read
   */
  default Mono<String> takeSession(String namespace, String privateId) {
    return Mono.empty();
  }

  /**
   * Checks the arguments of {@link #saveSession} against its contract: for a store to call first, so that
   * every store refuses the same arguments the same way.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code ttl} is not positive
   */
  static void checkSaveSession(String namespace, String privateId, String state, Duration ttl) {
    checkSessionKey(namespace, privateId);
    Objects.requireNonNull(state, "state");
    Checks.positive("ttl", ttl);
  }

  /**
   * Checks the key of {@link #saveSession} and {@link #takeSession}: for a store to call first.
   *
   * @throws NullPointerException if an argument is null
   */
  static void checkSessionKey(String namespace, String privateId) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(privateId, "privateId");
  }
}
