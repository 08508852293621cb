package dev.parley.internal.recovery;

import org.jspecify.annotations.Nullable;

/**
 * Where a channel's share of one room begins, for connection state recovery. Known from what reached the
 * channel rather than from the store at disconnect time: messages keep arriving while a channel is being
 * closed, and the client has none of them. One per membership, so a room left and joined again starts anew.
 *
 * <p>Threading: any thread may report; {@link #position()} takes no lock, because it runs while a channel
 * closes, which can happen inside another membership's delivery.
 */
public final class RoomStart {
  /**
   * Where a channel starts in a room it has all of, such as the room of its own new id: one shared by all of them
   * (a base makes the rest moot, so nothing is recorded in it).
   */
  static final RoomStart FROM_THE_START = new RoomStart("");

  private final @Nullable String base;
  // The smallest id that reached the membership, sent to the client or not; written under this.
  private volatile @Nullable String firstSeen;
  // The room's last id when it was joined, once known.
  private volatile @Nullable String joined;

  /**
   * @param base the id after which the channel has every message of the room it is meant to ({@code ""}:
   *     all of them), or null if not known
   */
  public RoomStart(@Nullable String base) {
    this.base = base;
  }

  /** A message of the room reached the channel (live or replayed), whether or not it was sent to it. */
  public void seen(String messageId) {
    if (base == null) {
      see(messageId);
    }
  }

  private synchronized void see(String messageId) {
    String first = firstSeen;
    if (first == null || messageId.compareTo(first) < 0) {
      firstSeen = messageId;
    }
  }

  /** The room's last id when the channel joined it ({@code ""} if it had none); the first report wins. */
  public void joinedAt(String lastId) {
    if (base == null && joined == null) {
      joined = lastId;
    }
  }

  /**
   * Where the channel started in the room, if known: after the base given at construction; else just before
   * the first message that reached it (everything from there on was meant for it); else after the room's
   * last id when it was joined.
   *
   * @return the position, or null if none is known yet (it is then looked up when saving)
   */
  public SavedSession.@Nullable Position position() {
    if (base != null) {
      return SavedSession.Position.after(base);
    }
    String first = firstSeen;
    if (first != null) {
      return SavedSession.Position.before(first);
    }
    String room = joined;
    return room == null ? null : SavedSession.Position.after(room);
  }
}
