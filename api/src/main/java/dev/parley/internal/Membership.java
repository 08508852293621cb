package dev.parley.internal;

import dev.parley.Message;
import dev.parley.spi.Outgoing;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One channel's membership of one room, and the hand-over from replayed history to live messages:
 * while a replay runs, live messages are held back; afterwards those not already replayed follow.
 * Ids only grow, so "already delivered" is "not after the last id delivered".
 */
final class Membership {
  private final DefaultChannel channel;
  private @Nullable List<Object[]> heldBack;
  private @Nullable String lastId;

  Membership(DefaultChannel channel, boolean replaying) {
    this.channel = channel;
    this.heldBack = replaying ? new ArrayList<>() : null;
  }

  /** A live message of the room, shared by every member. */
  synchronized void live(Message message, Outgoing packet) {
    if (heldBack != null) {
      heldBack.add(new Object[] {message, packet});
    } else {
      deliver(message, packet);
    }
  }

  /** A message read from history for this channel's replay. */
  synchronized void replayed(Message message) {
    if (message.isAfter(lastId)) {
      deliver(message, new Outgoing(DefaultNamespace.eventOf(message)));
    }
  }

  /** The replay is over (or failed): deliver what was held back, then go live. */
  synchronized void replayDone() {
    List<Object[]> held = heldBack;
    heldBack = null;
    if (held != null) {
      for (Object[] pair : held) {
        deliver((Message) pair[0], (Outgoing) pair[1]);
      }
    }
  }

  /** The id of the last message delivered (or skipped as the channel's own), or null. */
  synchronized @Nullable String lastId() {
    return lastId;
  }

  private void deliver(Message message, Outgoing packet) {
    if (!message.isAfter(lastId)) {
      return;
    }
    lastId = message.id();
    if (!channel.id().equals(message.sender())) {
      channel.send(packet);
    }
  }
}
