package dev.parley;

import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A named group of channels in a namespace, with a durable history of posted messages. A room exists
 * as a name: it needs no creation, and it costs nothing while nobody is in it.
 *
 * <pre>{@code
 * Room lobby = server.room("lobby");
 * lobby.post("chat", Map.of("from", "bot", "text", "hello")).block();
 * lobby.history(50).collectList().block();
 * }</pre>
 *
 * <p>{@link #emit} is ephemeral (never stored); {@link #post} is durable.
 */
public interface Room extends Emitter {

  /** The room name. */
  String name();

  /** The namespace this room belongs to. */
  Namespace namespace();

  /**
   * Posts a durable message: appends it to the store, which assigns its id, then delivers it to the
   * room's members on every node, in the same order everywhere. Eager: the post happens whether or not
   * the result is subscribed to.
   *
   * @return a {@code Mono} of the stored message; errors with {@link dev.parley.error.StoreException}
   *     if the store refused it
   * @throws IllegalArgumentException if the event name is invalid or the payload is not serialisable
   * @throws IllegalStateException if the server is closed
   */
  Mono<Message> post(String event, Object payload);

  /** The last {@code limit} messages, oldest first. */
  Flux<Message> history(int limit);

  /**
   * A page of history, oldest first; the limit is capped at {@link ChatServerConfig#maxHistoryPage()}.
   * Lazy: the store is read on subscription.
   */
  Flux<Message> history(HistoryQuery query);

  /** The channels in this room on this node; a snapshot. */
  Set<Channel> members();

  /**
   * Who is in this room on every node: a count, pages of members, and joins and leaves as they happen.
   *
   * @throws IllegalStateException if the namespace does not track presence ({@link Namespace#trackPresence()})
   */
  Presence presence();
}
