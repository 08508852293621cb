package dev.parley;

import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * Who is in a room across every node sharing the store ({@link Room#presence()}), in a namespace that tracks
 * presence ({@link Namespace#trackPresence()}). Each node keeps the whole namespace's presence (about 150 bytes
 * per channel in a room), told of the others' joins and leaves over the bus, so reading it asks no other node:
 * a count is a field read, a page of members costs its size.
 *
 * <p>Eventually consistent: another node's join shows here after one trip over the bus; a node that dies takes
 * its members with it after at most {@link ChatServerConfig#clusterNodeTimeout()} plus one
 * {@link ChatServerConfig#clusterHeartbeat()}. The rooms of the channels' own ids are not tracked.
 *
 * <p>Thread-safe.
 */
public interface Presence {

  /** The room. */
  String room();

  /** How many channels are in the room, on every node. */
  int count();

  /**
   * A page of the room's members in the order of their channel ids: those after {@code after}, at most
   * {@code limit} of them. Pass the last id of a page as {@code after} for the next.
   *
   * @param after the channel id to start after, or null for the first page
   * @param limit 1 to {@value #MAX_PAGE}
   * @throws IllegalArgumentException if {@code limit} is out of range
   */
  List<PresenceMember> members(@Nullable String after, int limit);

  /**
   * Joins and leaves in the room from now on, on every node, as this node learns of them; hot, never
   * completes while the server runs. A subscriber that does not keep up misses events (it can read
   * {@link #members} again).
   */
  Flux<PresenceEvent> events();

  /** The largest page {@link #members} returns. */
  int MAX_PAGE = 1000;
}
