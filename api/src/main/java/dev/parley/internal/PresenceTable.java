package dev.parley.internal;

import dev.parley.Presence;
import dev.parley.PresenceEvent;
import dev.parley.PresenceMember;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * One namespace's presence on every node, as this node knows it: each room's members by channel id, and their
 * count. Changes come from this node's room registry and from the other nodes through {@link Presences}; each
 * change that alters the table is an event. This node's own entries change only by its own registry: another
 * node's word (a stale join from the node a recovered channel came from) does not replace them.
 *
 * <p>Threading: changes take the table's lock (they are few and short); reads take none and see each room as of
 * some moment during the call. Events reach subscribers on the handler scheduler, never under the lock.
 */
final class PresenceTable {
  private final String self;
  private final Map<String, Members> rooms = new ConcurrentHashMap<>();
  private final Sinks.Many<PresenceEvent> events = Sinks.many().multicast().directBestEffort();
  private final Supplier<Scheduler> delivery;

  /** One room's members, and their count (kept, as a skip list counts by walking). */
  private static final class Members {
    final ConcurrentSkipListMap<String, PresenceMember> byId = new ConcurrentSkipListMap<>();
    volatile int count;
  }

  PresenceTable(String self, Supplier<Scheduler> delivery) {
    this.self = self;
    this.delivery = delivery;
  }

  /**
   * Puts a member in its room. A channel held by another node than before moved there (connection state
   * recovery): it leaves as the old node's and joins as the new one's.
   */
  synchronized void join(PresenceMember member) {
    Members members = rooms.computeIfAbsent(member.room(), r -> new Members());
    PresenceMember before = members.byId.get(member.channelId());
    if (before != null && before.node().equals(member.node())) {
      return;
    }
    if (before != null && before.node().equals(self) && !member.node().equals(self)) {
      return;
    }
    members.byId.put(member.channelId(), member);
    if (before == null) {
      members.count++;
    } else {
      events.tryEmitNext(new PresenceEvent(PresenceEvent.Type.LEFT, before, false));
    }
    events.tryEmitNext(new PresenceEvent(PresenceEvent.Type.JOINED, member, false));
  }

  /** Takes a channel out of a room if {@code node} holds it there; a leave from a node it moved from is stale. */
  synchronized void leave(String room, String channelId, String node) {
    Members members = rooms.get(room);
    PresenceMember member = members == null ? null : members.byId.get(channelId);
    if (member != null && member.node().equals(node)) {
      remove(member);
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
    members.forEach(this::join);
  }

  // Under the lock.
  private void remove(PresenceMember member) {
    Members members = rooms.get(member.room());
    if (members != null && members.byId.remove(member.channelId(), member)) {
      members.count--;
      if (members.count == 0) {
        rooms.remove(member.room());
      }
    }
  }

  /** The members {@code node} holds, in every room. */
  List<PresenceMember> membersOf(String node) {
    List<PresenceMember> found = new ArrayList<>();
    for (Members members : rooms.values()) {
      for (PresenceMember member : members.byId.values()) {
        if (member.node().equals(node)) {
          found.add(member);
        }
      }
    }
    return found;
  }

  int count(String room) {
    Members members = rooms.get(room);
    return members == null ? 0 : members.count;
  }

  List<PresenceMember> page(String room, @Nullable String after, int limit) {
    Members members = rooms.get(room);
    if (members == null) {
      return List.of();
    }
    Collection<PresenceMember> from = after == null ? members.byId.values()
        : members.byId.tailMap(after, false).values();
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
