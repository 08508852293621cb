package dev.parley.spi;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Carries ephemeral emits between the nodes that share a store. */
public interface Bus {

  /** Sends a message to every node (the sender included; it skips its own by {@link BusMessage#origin()}). */
  Mono<Void> publish(BusMessage message);

  /** Every message published by any node from subscription on; hot. */
  Flux<BusMessage> messages();
}
