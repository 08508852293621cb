package dev.parley;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One channel in a room, as presence knows it on every node.
 *
 * @param room the room
 * @param channelId the channel's id
 * @param node the node that holds the channel
 * @param user the name of the channel's principal ({@link Handshake#principal()}), or null if middleware set none
 * @param since when the channel joined the room, by its node's clock
 */
public record PresenceMember(String room, String channelId, String node, @Nullable String user, Instant since) {
  public PresenceMember {
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(channelId, "channelId");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(since, "since");
  }
}
