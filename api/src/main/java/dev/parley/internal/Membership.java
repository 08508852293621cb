package dev.parley.internal;

import dev.parley.Message;
import dev.parley.internal.recovery.RoomStart;
import dev.parley.spi.Outgoing;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One channel's membership of one room, and the hand-over from replayed history to live messages:
 * while a replay runs, live messages are held back; afterwards those not already replayed follow.
 * Ids only grow, so "already delivered" is "not after the last id delivered".
 *
 * <p>For a recoverable channel it reports every message that reaches it to the channel's {@link RoomStart}
 * of the room. Threading: deliveries are serialized by this object's lock.
 */
final class Membership {
  private final DefaultChannel channel;
  private final @Nullable RoomStart start;
  private @Nullable List<Held> heldBack;
  private @Nullable String lastId;

  /** @param start where the channel starts in the room, for recovery; null if it cannot be recovered */
  Membership(DefaultChannel channel, boolean replaying, @Nullable RoomStart start) {
    this.channel = channel;
    this.heldBack = replaying ? new ArrayList<>() : null;
    this.start = start;
  }

  /** Where the channel starts in the room, for recovery; null if it cannot be recovered. */
  @Nullable RoomStart start() {
    return start;
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
    if (start != null) {
      start.seen(message.id());
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
