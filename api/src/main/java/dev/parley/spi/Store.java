package dev.parley.spi;

import dev.parley.HistoryQuery;
import dev.parley.Message;
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

  /** The bus for ephemeral emits between nodes. */
  Bus bus();
}
