package dev.parley.internal;

import dev.parley.Message;
import dev.parley.internal.recovery.SavedSession;
import dev.parley.internal.support.Ids;
import dev.parley.spi.Outgoing;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One channel's membership of one room, and the hand-over from replayed history to live messages:
 * while a replay runs, live messages are held back; afterwards those not already replayed follow.
 * Ids only grow, so "already delivered" is "not after the last id delivered".
 *
 * <p>For connection state recovery it also knows where in the room the channel started ({@link #start()}),
 * from what it saw rather than from the store at disconnect time: messages keep arriving while a channel
 * is being closed, and the client has none of them.
 */
final class Membership {
  private final DefaultChannel channel;
  private @Nullable List<Held> heldBack;
  private @Nullable String lastId;
  private final @Nullable String base;
  // The smallest id that reached this membership, sent to the client or not; written under this.
  private volatile @Nullable String firstSeen;
  // The room's last id when it was joined, once known.
  private volatile @Nullable String joined;

  /**
   * @param base the id after which the channel has every message of the room it is meant to ({@code ""}:
   *     all of them), or null if not known
   */
  Membership(DefaultChannel channel, boolean replaying, @Nullable String base) {
    this.channel = channel;
    this.heldBack = replaying ? new ArrayList<>() : null;
    this.base = base;
  }

  /**
   * Where the channel started in the room, if known: after the base given at construction; else just
   * before the first message that reached it (everything from there on was meant for it); else after
   * the room's last id when it was joined. Takes no lock: it runs while a channel closes, which can
   * happen inside another membership's delivery.
   */
  SavedSession.@Nullable Position start() {
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

  /** The room's last id when the channel joined it ({@code ""} if it had none); the first report wins. */
  void joinedAt(String lastId) {
    if (joined == null) {
      joined = lastId;
    }
  }

  /** A live message of the room, shared by every member. */
  synchronized void live(Message message, Outgoing packet) {
    seen(message);
    if (heldBack != null) {
      heldBack.add(new Held(message, packet));
    } else {
      deliver(message, packet);
    }
  }

  /** A message read from history for this channel's replay. */
  synchronized void replayed(Message message) {
    seen(message);
    if (message.isAfter(lastId)) {
      deliver(message, new Outgoing(channel.namespaceImpl().eventOf(message)));
    }
  }

  /** The replay is over (or failed): deliver what was held back, then go live. */
  synchronized void replayDone() {
    List<Held> held = heldBack;
    heldBack = null;
    if (held != null) {
      for (Held message : held) {
        deliver(message.message(), message.packet());
      }
    }
  }

  private void seen(Message message) {
    if (firstSeen == null || message.id().compareTo(firstSeen) < 0) {
      firstSeen = message.id();
    }
  }

  private void deliver(Message message, Outgoing packet) {
    if (!message.isAfter(lastId)) {
      return;
    }
    lastId = message.id();
    if (!channel.id().equals(message.sender())) {
      channel.sendPosted(message, packet);
    }
  }

  /** A live message held back while a replay runs, with the packet shared by the room's members. */
  private record Held(Message message, Outgoing packet) {
  }
}
