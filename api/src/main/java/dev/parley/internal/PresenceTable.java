package dev.parley.internal;

import dev.parley.Presence;
import dev.parley.PresenceEvent;
import dev.parley.PresenceMember;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * One namespace's presence on every node, as this node knows it: each room's members by channel id. Changes
 * come from this node's room registry and from the other nodes through {@link Presences}; each change that
 * alters the table is an event.
 *
 * <p>Threading: changes take the table's lock (they are few and short); reads take none and see each room as of
 * some moment during the call.
 */
final class PresenceTable {
  private final Map<String, NavigableMap<String, PresenceMember>> rooms = new ConcurrentHashMap<>();
  private final Sinks.Many<PresenceEvent> events = Sinks.many().multicast().directBestEffort();
  // Where subscribers hear events: never under the table's lock, nor on the bus's thread.
  private final Supplier<Scheduler> delivery;

  PresenceTable(Supplier<Scheduler> delivery) {
    this.delivery = delivery;
  }

  /** Puts a member in its room, replacing the entry of the same channel there (it moved nodes). */
  synchronized void join(PresenceMember member) {
    PresenceMember before = rooms.computeIfAbsent(member.room(), r -> new ConcurrentSkipListMap<>())
        .put(member.channelId(), member);
    if (before == null || !before.node().equals(member.node())) {
      events.tryEmitNext(new PresenceEvent(PresenceEvent.Type.JOINED, member, false));
    }
  }

  /** Takes a channel out of a room if {@code node} holds it there; a leave from a node it moved from is stale. */
  synchronized void leave(String room, String channelId, String node) {
    NavigableMap<String, PresenceMember> members = rooms.get(room);
    PresenceMember member = members == null ? null : members.get(channelId);
    if (member != null && member.node().equals(node)) {
      members.remove(channelId);
      if (members.isEmpty()) {
        rooms.remove(room);
      }
      events.tryEmitNext(new PresenceEvent(PresenceEvent.Type.LEFT, member, false));
    }
  }

  /** Takes out every member {@code node} holds: it went away. */
  synchronized void dropNode(String node) {
    for (PresenceMember member : membersOf(node)) {
      remove(member);
      events.tryEmitNext(new PresenceEvent(PresenceEvent.Type.LEFT, member, true));
    }
  }

  /** Makes {@code node}'s members exactly {@code members}: a snapshot it sent. */
  synchronized void replaceNode(String node, Collection<PresenceMember> members) {
    Map<String, PresenceMember> next = new HashMap<>();
    for (PresenceMember member : members) {
      next.put(member.room() + '\u0000' + member.channelId(), member);
    }
    for (PresenceMember member : membersOf(node)) {
      if (!next.containsKey(member.room() + '\u0000' + member.channelId())) {
        remove(member);
        events.tryEmitNext(new PresenceEvent(PresenceEvent.Type.LEFT, member, false));
      }
    }
    for (PresenceMember member : members) {
      NavigableMap<String, PresenceMember> room = rooms.get(member.room());
      PresenceMember current = room == null ? null : room.get(member.channelId());
      if (current == null || !current.node().equals(node)) {
        join(member);
      }
    }
  }

  private void remove(PresenceMember member) {
    NavigableMap<String, PresenceMember> members = rooms.get(member.room());
    if (members != null && members.remove(member.channelId(), member) && members.isEmpty()) {
      rooms.remove(member.room());
    }
  }

  /** The members {@code node} holds, in every room. */
  List<PresenceMember> membersOf(String node) {
    List<PresenceMember> found = new ArrayList<>();
    for (NavigableMap<String, PresenceMember> members : rooms.values()) {
      for (PresenceMember member : members.values()) {
        if (member.node().equals(node)) {
          found.add(member);
        }
      }
    }
    return found;
  }

  int count(String room) {
    NavigableMap<String, PresenceMember> members = rooms.get(room);
    return members == null ? 0 : members.size();
  }

  List<PresenceMember> page(String room, @Nullable String after, int limit) {
    NavigableMap<String, PresenceMember> members = rooms.get(room);
    if (members == null) {
      return List.of();
    }
    Collection<PresenceMember> from = after == null ? members.values() : members.tailMap(after, false).values();
    List<PresenceMember> page = new ArrayList<>(Math.min(limit, 64));
    for (PresenceMember member : from) {
      if (page.size() == limit) {
        break;
      }
      page.add(member);
    }
    return page;
  }

  Flux<PresenceEvent> events(String room) {
    return Flux.defer(() -> events.asFlux().filter(event -> event.member().room().equals(room))
        .publishOn(delivery.get()));
  }

  /** Ends every subscriber's events: the server closed. */
  void complete() {
    events.tryEmitComplete();
  }

  /** A room's presence as the application reads it. */
  Presence of(String room) {
    Objects.requireNonNull(room, "room");
    return new Presence() {
      @Override
      public String room() {
        return room;
      }

      @Override
      public int count() {
        return PresenceTable.this.count(room);
      }

      @Override
      public List<PresenceMember> members(@Nullable String after, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
          throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE + ": " + limit);
        }
        return page(room, after, limit);
      }

      @Override
      public Flux<PresenceEvent> events() {
        return PresenceTable.this.events(room);
      }

      @Override
      public String toString() {
        return "Presence[" + room + "]";
      }
    };
  }
}
