package dev.parley;

import dev.parley.protocol.Arguments;
import reactor.core.publisher.Mono;

/**
 * Anything that can send an ephemeral event: a {@link Channel}, a {@link Room}, a {@link Broadcast}.
 * Ephemeral events reach whoever is connected now and are never stored.
 */
public interface Emitter {

  /**
   * Sends an event. Eager: the event is on its way when this returns, whether or not the result is
   * subscribed to. Arguments are any Jackson-serialisable values, {@code JsonNode}s or {@code byte[]}.
   *
   * @return a {@code Mono} that completes once the event is queued for every local recipient and handed
   *     to the store's bus for other nodes, or errors if the bus refused it
   * @throws IllegalArgumentException if the event name is invalid or reserved, or an argument is not
   *     serialisable
   * @throws IllegalStateException if the server is closed
   */
  Mono<Void> emit(String event, Object... args);
}
