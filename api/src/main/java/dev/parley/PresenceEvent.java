package dev.parley;

import java.util.Objects;

/**
 * A channel joined or left a room, on any node ({@link Presence#events()}).
 *
 * @param type joined or left
 * @param member the channel, as it was in the room
 * @param nodeGone for a leave: whether the channel's node went away (it closed, or was not heard from for
 *     {@link ChatServerConfig#clusterNodeTimeout()}) rather than the channel leaving
 */
public record PresenceEvent(Type type, PresenceMember member, boolean nodeGone) {
  /** What happened. */
  public enum Type {
    JOINED,
    LEFT
  }

  public PresenceEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(member, "member");
  }
}
