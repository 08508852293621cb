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
 * while a replay runs, live messages are held back; afterwards those the replay did not deliver follow. In
 * a room whose feed comes in id order, "already delivered" is "not after the last id delivered". In one
 * whose feed comes in commit order (a collection feed with several writers), a live message is dropped only
 * if the replay read it (among its latest {@value #MAX_TRACKED_IDS} ids), so one committed out of id order is
 * not lost.
 *
 * <p>For a recoverable channel it reports every message that reaches it to the channel's {@link RoomStart}
 * of the room. Threading: deliveries are serialized by this object's lock.
 */
final class Membership implements RoomRegistry.Member<DefaultChannel> {
  /**
   * How many of its latest replayed ids a membership of a room not in id order remembers, for its life: a
   * message read by the replay and also delivered by the feed was committed as the replay read, so it is
   * among the latest it read.
   */
  static final int MAX_TRACKED_IDS = 512;
  private final DefaultChannel channel;
  private final String room;
  private final @Nullable RoomStart start;
  // The event name of Batching.arrays, or null for one event per message.
  private final @Nullable String arrays;
  // Whether the store's feed delivers this room in id order (see Store#feedInIdOrder).
  private final boolean ordered;
  private @Nullable List<Held> heldBack;
  // What a replay in arrays mode has read, sent as one array when it is done.
  private @Nullable List<Message> batch;
  // Arrays sent by this replay so far; an empty replay still sends one (empty) array.
  private int arraysSent;
  // Messages this replay has sent the client, for the server's observers.
  private int replayedCount;
  // The cursor a replay starts after (null for a last-N replay): the client has what is not after it.
  private final @Nullable String after;
  // In id order: the last id delivered. Otherwise: the last id the replay read (pages come in id order).
  private @Nullable String lastId;
  // Not in id order: the latest ids the replay read.
  private @Nullable Set<String> recentIds;
  private @Nullable ArrayDeque<String> recentOrder;

  /**
   * @param start where the channel starts in the room, for recovery; null if it cannot be recovered
   * @param arrays the event name to send arrays of payloads under, or null to send one event per message
   * @param after the id a replay starts after, whose live messages up to it the client has; null if none
   * @param ordered whether the store's feed delivers the room's messages in id order
   */
  Membership(DefaultChannel channel, String room, boolean replaying, @Nullable RoomStart start, @Nullable String arrays,
             @Nullable String after, boolean ordered) {
    this.channel = channel;
    this.room = room;
    this.heldBack = replaying ? new ArrayList<>() : null;
    this.after = after == null || after.isEmpty() ? null : after;
    this.batch = replaying && arrays != null ? new ArrayList<>() : null;
    this.start = start;
    this.arrays = arrays;
    this.ordered = ordered;
    if (!ordered && replaying) {
      recentIds = new HashSet<>();
      recentOrder = new ArrayDeque<>();
    }
  }

  @Override
  public String room() {
    return room;
  }

  @Override
  public DefaultChannel channel() {
    return channel;
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
      deliverLive(message, packet);
    }
  }

  /** A message read from history for this channel's replay. */
  synchronized void replayed(Message message) {
    seen(message);
    // Pages come in id order; a page boundary read twice must not deliver twice.
    if (heldBack == null || !message.isAfter(lastId)) {
      return;
    }
    lastId = message.id();
    if (!channel.id().equals(message.sender())) {
      replayedCount++;
    }
    if (recentIds != null) {
      recentIds.add(message.id());
      recentOrder.add(message.id());
      if (recentOrder.size() > MAX_TRACKED_IDS) {
        recentIds.remove(recentOrder.poll());
      }
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

  /** The replay is over (or failed): deliver what was held back, then go live. Once. */
  void replayDone() {
    int sent = endReplay();
    if (sent >= 0) {
      // Outside the lock: an observer is foreign code.
      channel.namespaceImpl().server().observers().replayed(sent);
    }
  }

  // Returns the messages the replay sent, or -1 if it had ended already.
  private synchronized int endReplay() {
    List<Held> held = heldBack;
    heldBack = null;
    List<Message> replayed = batch;
    batch = null;
    if (replayed != null && (!replayed.isEmpty() || arraysSent == 0)) {
      sendArray(replayed);
    }
    if (held == null) {
      return -1;
    }
    for (Held message : held) {
      if (ordered || message.message().isAfter(after)) {
        deliverLive(message.message(), message.packet());
      }
    }
    return replayedCount;
  }

  /**
   * A live message, once: in id order, one after the last delivered; otherwise one the replay did not read
   * (the feed delivers each once, in commit order, which may not be id order).
   */
  private void deliverLive(Message message, Outgoing packet) {
    if (ordered) {
      if (!message.isAfter(lastId)) {
        return;
      }
      lastId = message.id();
    } else if (recentIds != null && recentIds.contains(message.id())) {
      return;
    }
    deliver(message, packet);
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
