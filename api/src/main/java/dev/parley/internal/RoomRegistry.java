package dev.parley.internal;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Which channels of one namespace on this node are in which rooms: the one place room membership is kept.
 * Each (room, channel) pair carries a value ({@link Membership} in the engine), which delivers the room's
 * messages to the channel.
 *
 * <p>Threading: every change takes the registry's lock, so the view by room and the view by channel change
 * together and the room limit is checked and applied in one step. Reads take no lock: they see each room's
 * (or channel's) members as of some moment during the call, which is what delivery needs.
 *
 * <p>A room or channel with one entry (most channels are only in the room of their own id, which has only
 * them) is kept as an immutable one-entry map, replaced by a concurrent one when a second entry comes: a
 * concurrent map per channel and per own room would cost every idle connection about 250 bytes. Readers that
 * got the one-entry map see the registry as of the moment they read it.
 *
 * @param <C> the channel type
 * @param <M> what a membership carries
 */
final class RoomRegistry<C, M> {
  /** What {@link #join} did. */
  enum Joined {
    /** The channel is now in the room. */
    JOINED,
    /** The channel was in the room already; nothing changed. */
    ALREADY_IN,
    /** The channel is in as many rooms as it may be; nothing changed. */
    AT_LIMIT
  }

  /** Hears every change of membership, under the registry's lock: in the order they happen, and quickly. */
  interface Changes<C> {
    void joined(String room, C channel);

    void left(String room, C channel);
  }

  private final Object lock = new Object();
  private volatile @Nullable Changes<C> changes;
  private final Map<String, Map<C, M>> byRoom = new ConcurrentHashMap<>();
  private final Map<C, Map<String, M>> byChannel = new ConcurrentHashMap<>();
  // Pairs over all rooms, kept as they change so that stats need not walk them; written under the lock.
  private volatile int memberships;

  /**
   * Puts a channel in a room unless it is in it already or in {@code maxRooms} rooms besides {@code ownRoom}
   * (the room of its own id, which does not count).
   */
  Joined join(String room, C channel, M membership, String ownRoom, int maxRooms) {
    synchronized (lock) {
      Map<String, M> rooms = byChannel.get(channel);
      if (rooms != null && rooms.containsKey(room)) {
        return Joined.ALREADY_IN;
      }
      int counted = rooms == null ? 0 : rooms.size() - (rooms.containsKey(ownRoom) ? 1 : 0);
      if (!room.equals(ownRoom) && counted >= maxRooms) {
        return Joined.AT_LIMIT;
      }
      put(room, channel, membership);
      return Joined.JOINED;
    }
  }

  /** Puts a channel in a room whatever the limit, replacing its membership there if it had one. */
  void add(String room, C channel, M membership) {
    synchronized (lock) {
      put(room, channel, membership);
    }
  }

  /** Reports every change from now on to {@code listener}; one listener at most. */
  void listen(Changes<C> listener) {
    changes = listener;
  }

  private void put(String room, C channel, M membership) {
    putIn(byChannel, channel, room, membership);
    if (putIn(byRoom, room, channel, membership) == null) {
      memberships++;
      Changes<C> listener = changes;
      if (listener != null) {
        listener.joined(room, channel);
      }
    }
  }

  // Under the lock: puts (key, value) in the inner map of outerKey, growing a one-entry map into a concurrent
  // one; returns the value it replaced, or null.
  private static <O, K, V> @Nullable V putIn(Map<O, Map<K, V>> outer, O outerKey, K key, V value) {
    Map<K, V> inner = outer.get(outerKey);
    if (inner instanceof ConcurrentHashMap) {
      return inner.put(key, value);
    }
    if (inner == null || inner.containsKey(key)) {
      outer.put(outerKey, Map.of(key, value));
      return inner == null ? null : inner.get(key);
    }
    Map<K, V> grown = new ConcurrentHashMap<>(4);
    grown.putAll(inner);
    grown.put(key, value);
    outer.put(outerKey, grown);
    return null;
  }

  // Under the lock: removes key from the inner map of outerKey, and the inner map once empty; returns the
  // value removed, or null.
  private static <O, K, V> @Nullable V removeFrom(Map<O, Map<K, V>> outer, O outerKey, K key) {
    Map<K, V> inner = outer.get(outerKey);
    if (inner == null) {
      return null;
    }
    if (!(inner instanceof ConcurrentHashMap)) {
      V removed = inner.get(key);
      if (removed != null) {
        outer.remove(outerKey);
      }
      return removed;
    }
    V removed = inner.remove(key);
    if (inner.isEmpty()) {
      outer.remove(outerKey);
    }
    return removed;
  }

  /** Takes a channel out of a room; false if it was not in it. */
  boolean leave(String room, C channel) {
    synchronized (lock) {
      if (removeFrom(byChannel, channel, room) == null) {
        return false;
      }
      drop(room, channel);
      return true;
    }
  }

  /** Takes a channel out of every room it is in. */
  void leaveAll(C channel) {
    synchronized (lock) {
      Map<String, M> rooms = byChannel.remove(channel);
      if (rooms != null) {
        rooms.keySet().forEach(room -> drop(room, channel));
      }
    }
  }

  private void drop(String room, C channel) {
    if (removeFrom(byRoom, room, channel) != null) {
      memberships--;
      Changes<C> listener = changes;
      if (listener != null) {
        listener.left(room, channel);
      }
    }
  }

  /** The rooms a channel is in, a copy. */
  Set<String> rooms(C channel) {
    Map<String, M> rooms = byChannel.get(channel);
    return rooms == null ? Set.of() : Set.copyOf(rooms.keySet());
  }

  /** A channel's memberships by room, a copy. */
  Map<String, M> memberships(C channel) {
    Map<String, M> rooms = byChannel.get(channel);
    return rooms == null ? Map.of() : Map.copyOf(rooms);
  }

  /** The channels in a room, a copy. */
  Set<C> members(String room) {
    Map<C, M> members = byRoom.get(room);
    return members == null ? Set.of() : Set.copyOf(members.keySet());
  }

  /** The memberships of a room, live: for delivering to each without copying. */
  Collection<M> membershipsIn(String room) {
    Map<C, M> members = byRoom.get(room);
    return members == null ? List.of() : members.values();
  }

  /** The channels in any of the rooms, each once; live for a single room, to select without copying. */
  Collection<C> membersOfAny(Set<String> rooms) {
    if (rooms.size() == 1) {
      Map<C, M> members = byRoom.get(rooms.iterator().next());
      return members == null ? List.of() : members.keySet();
    }
    Set<C> out = new LinkedHashSet<>();
    for (String room : rooms) {
      Map<C, M> members = byRoom.get(room);
      if (members != null) {
        out.addAll(members.keySet());
      }
    }
    return out;
  }

  /** The channels in any of the rooms, a copy to test against. */
  Set<C> membersOfAnyCopy(Set<String> rooms) {
    return rooms.isEmpty() ? Set.of() : new HashSet<>(membersOfAny(rooms));
  }

  /** Rooms with at least one member. */
  int roomCount() {
    return byRoom.size();
  }

  /** (room, channel) pairs, own rooms included. */
  int membershipCount() {
    return memberships;
  }
}
