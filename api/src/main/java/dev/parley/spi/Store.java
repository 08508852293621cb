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
 *   <li>{@link #append} assigns an id. Ids are fixed-width strings; their natural order is the
 *   order in which {@link #feed()} emits the messages, and it only grows, so "after id X" is exact.
 *   <li>{@link #history} returns oldest first, as {@link HistoryQuery} describes.
 *   <li>{@link #feed()} emits every appended message, from every node sharing the store, in id order.
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

  /** Every appended message from every node, in id order, from subscription on; hot. */
  Flux<Message> feed();

  /** The bus for ephemeral emits between nodes. */
  Bus bus();
}
