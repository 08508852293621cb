package dev.parley.internal;

import dev.parley.Message;
import dev.parley.internal.recovery.RoomStart;
import dev.parley.protocol.Packet;
import dev.parley.spi.Outgoing;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * One channel's membership of one room, and the hand-over from replayed history to live messages:
 * while a replay runs, live messages are held back; afterwards those the replay did not deliver follow
 * (not among the replayed ids, and after the replay's cursor), then live messages go straight through, each
 * once as the store's feed promises. The hand-over compares ids as a set, not by order, so a store whose
 * feed delivers a room in commit order rather than id order (a collection feed with several writers) loses
 * nothing at it.
 *
 * <p>For a recoverable channel it reports every message that reaches it to the channel's {@link RoomStart}
 * of the room. Threading: deliveries are serialized by this object's lock.
 */
final class Membership {
  /** How many of a replay's latest ids the hand-over remembers: far more than arrive while a replay reads. */
  static final int MAX_TRACKED_IDS = 4_096;
  private final DefaultChannel channel;
  private final @Nullable RoomStart start;
  // The event name of Batching.arrays, or null for one event per message.
  private final @Nullable String arrays;
  private @Nullable List<Held> heldBack;
  // What a replay in arrays mode has read, sent as one array when it is done.
  private @Nullable List<Message> batch;
  // While a replay runs: the latest ids it delivered (a live message it also read is one of the latest, as it
  // was committed after the join began), and the cursor it replays after (null for a last-N replay).
  private @Nullable Set<String> replayedIds;
  private @Nullable ArrayDeque<String> replayedOrder;
  // Arrays sent by this replay so far; an empty replay still sends one (empty) array.
  private int arraysSent;
  private final @Nullable String after;
  private @Nullable String lastReplayed;

  /**
   * @param start where the channel starts in the room, for recovery; null if it cannot be recovered
   * @param arrays the event name to send arrays of payloads under, or null to send one event per message
   * @param after the id a replay starts after, whose live messages up to it the client has; null if none
   */
  Membership(DefaultChannel channel, boolean replaying, @Nullable RoomStart start, @Nullable String arrays,
             @Nullable String after) {
    this.channel = channel;
    this.heldBack = replaying ? new ArrayList<>() : null;
    this.replayedIds = replaying ? new HashSet<>() : null;
    this.replayedOrder = replaying ? new ArrayDeque<>() : null;
    this.after = after == null || after.isEmpty() ? null : after;
    this.batch = replaying && arrays != null ? new ArrayList<>() : null;
    this.start = start;
    this.arrays = arrays;
  }

  /** Whether the member is still connected. */
  boolean channelConnected() {
    return channel.connected();
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
    // Pages come in id order; a page boundary read twice must not deliver twice.
    if (replayedIds == null || !message.isAfter(lastReplayed)) {
      return;
    }
    lastReplayed = message.id();
    replayedIds.add(message.id());
    replayedOrder.add(message.id());
    if (replayedOrder.size() > MAX_TRACKED_IDS) {
      replayedIds.remove(replayedOrder.poll());
    }
    if (batch != null) {
      if (!channel.id().equals(message.sender())) {
        batch.add(message);
      }
      if (batch.size() >= channel.namespaceImpl().server().config().maxHistoryPage()) {
        sendArray(batch);
        arraysSent++;
        batch = new ArrayList<>();
      }
    } else {
      deliver(message, new Outgoing(channel.namespaceImpl().eventOf(message)));
    }
  }

  /** The replay is over (or failed): deliver what was held back, then go live. */
  synchronized void replayDone() {
    List<Held> held = heldBack;
    heldBack = null;
    List<Message> replayed = batch;
    batch = null;
    Set<String> replayedAlready = replayedIds;
    replayedIds = null;
    replayedOrder = null;
    if (replayed != null && (!replayed.isEmpty() || arraysSent == 0)) {
      sendArray(replayed);
    }
    if (held != null) {
      for (Held message : held) {
        String id = message.message().id();
        if ((replayedAlready == null || !replayedAlready.contains(id)) && message.message().isAfter(after)) {
          deliver(message.message(), message.packet());
        }
      }
    }
  }

  private void seen(Message message) {
    if (start != null) {
      start.seen(message.id());
    }
  }

  private void deliver(Message message, Outgoing packet) {
    if (channel.id().equals(message.sender())) {
      return;
    }
    if (arrays != null) {
      sendArray(List.of(message));
    } else {
      channel.sendPosted(message, packet);
    }
  }

  /** Messages as one event whose argument is the array of their payloads; empty for an empty replay. */
  private void sendArray(List<Message> messages) {
    ArrayNode payloads = JsonNodeFactory.instance.arrayNode(messages.size());
    for (Message message : messages) {
      payloads.add(message.payload());
    }
    DefaultNamespace namespace = channel.namespaceImpl();
    Message last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
    Outgoing packet = new Outgoing(new Packet.Event(namespace.name(), arrays, List.of(payloads), null,
        last == null ? null : last.id(), namespace.recoveryEnabled()));
    if (last == null) {
      channel.send(packet);
    } else {
      channel.sendPosted(last, packet);
    }
  }

  /** A live message held back while a replay runs, with the packet shared by the room's members. */
  private record Held(Message message, Outgoing packet) {
  }
}
