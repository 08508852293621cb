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
 * them) keeps that entry's membership itself, which knows its room and its channel, in place of a map; a
 * concurrent map takes over when a second entry comes. A map per channel and per own room, even an immutable
 * one-entry map, would cost every idle connection 64 bytes (a concurrent one about 250). Readers that got the
 * single membership see the registry as of the moment they read it.
 *
 * @param <C> the channel type
 * @param <M> what a membership carries
 */
final class RoomRegistry<C, M extends RoomRegistry.Member<C>> {
  /** What {@link #join} did. */
  enum Joined {
    /** The channel is now in the room. */
    JOINED,
    /** The channel was in the room already; nothing changed. */
    ALREADY_IN,
    /** The channel is in as many rooms as it may be; nothing changed. */
    AT_LIMIT
  }

  /** A (room, channel) pair's membership, which names both. */
  interface Member<C> {
    String room();

    C channel();
  }

  /**
   * Where the registry keeps one key's entries (an M or a ConcurrentHashMap, see the class), null for none: a map
   * for rooms, a field of each channel for channels, so that the view by channel costs no entry per channel.
   * Written under the registry's lock, read without it: a field behind it must be volatile.
   */
  interface Slot<K> {
    @Nullable Object get(K key);

    void set(K key, @Nullable Object entries);
  }

  /** Hears every change of membership, under the registry's lock: in the order they happen, and quickly. */
  interface Changes<C> {
    void joined(String room, C channel);

    void left(String room, C channel);
  }

  // Which of a membership's two names a room's or a channel's entries are keyed by.
  private static final Key<String> ROOM = Member::room;
  private static final Key<Object> CHANNEL = Member::channel;

  @FunctionalInterface
  private interface Key<K> {
    K of(Member<?> membership);
  }

  private final Object lock = new Object();
  private volatile @Nullable Changes<C> changes;
  // Per room its one membership (an M) or its members' (a ConcurrentHashMap by channel); per channel the same,
  // by room, in the channel's own slot (byChannel).
  private final Map<String, Object> roomEntries = new ConcurrentHashMap<>();
  private final Slot<String> byRoom = new Slot<>() {
    @Override
    public @Nullable Object get(String room) {
      return roomEntries.get(room);
    }

    @Override
    public void set(String room, @Nullable Object entries) {
      if (entries == null) {
        roomEntries.remove(room);
      } else {
        roomEntries.put(room, entries);
      }
    }
  };
  private final Slot<C> byChannel;
  // Pairs over all rooms, kept as they change so that stats need not walk them; written under the lock.
  private volatile int memberships;

  /** @param byChannel where each channel's memberships are kept, on the channel */
  RoomRegistry(Slot<C> byChannel) {
    this.byChannel = byChannel;
  }

  /**
   * Puts a channel in a room unless it is in it already or in {@code maxRooms} rooms besides {@code ownRoom}
   * (the room of its own id, which does not count).
   *
   * @param membership the pair's membership, naming {@code room} and {@code channel}
   */
  Joined join(String room, C channel, M membership, String ownRoom, int maxRooms) {
    synchronized (lock) {
      Object rooms = byChannel.get(channel);
      Map<String, M> held = rooms == null ? Map.of() : byKey(rooms, ROOM);
      if (held.containsKey(room)) {
        return Joined.ALREADY_IN;
      }
      int counted = held.size() - (held.containsKey(ownRoom) ? 1 : 0);
      if (!room.equals(ownRoom) && counted >= maxRooms) {
        return Joined.AT_LIMIT;
      }
      put(membership);
      return Joined.JOINED;
    }
  }

  /**
   * Puts a channel in a room whatever the limit, replacing its membership there if it had one.
   *
   * @param membership the pair's membership, naming its room and channel
   */
  void add(M membership) {
    synchronized (lock) {
      put(membership);
    }
  }

  /** Reports every change from now on to {@code listener}; one listener at most. */
  void listen(Changes<C> listener) {
    changes = listener;
  }

  private void put(M membership) {
    putIn(byChannel, membership.channel(), membership, ROOM);
    if (putIn(byRoom, membership.room(), membership, CHANNEL) == null) {
      memberships++;
      Changes<C> listener = changes;
      if (listener != null) {
        listener.joined(membership.room(), membership.channel());
      }
    }
  }

  // A room's or a channel's entries as a map by their key: a one-entry view of a single membership, or the
  // concurrent map itself (live).
  @SuppressWarnings("unchecked")
  private <K> Map<K, M> byKey(Object inner, Key<? super K> key) {
    if (inner instanceof ConcurrentHashMap<?, ?> map) {
      return (Map<K, M>) map;
    }
    M single = (M) inner;
    return Map.of((K) key.of(single), single);
  }

  // Under the lock: puts the membership in the entries of outerKey, growing a single membership into a
  // concurrent map; returns the membership it replaced (same key), or null.
  @SuppressWarnings("unchecked")
  private <O> @Nullable M putIn(Slot<O> outer, O outerKey, M membership, Key<?> key) {
    Object inner = outer.get(outerKey);
    if (inner == null) {
      outer.set(outerKey, membership);
      return null;
    }
    if (inner instanceof ConcurrentHashMap<?, ?> map) {
      return ((Map<Object, M>) map).put(key.of(membership), membership);
    }
    M single = (M) inner;
    if (key.of(single).equals(key.of(membership))) {
      outer.set(outerKey, membership);
      return single;
    }
    Map<Object, M> grown = new ConcurrentHashMap<>(4);
    grown.put(key.of(single), single);
    grown.put(key.of(membership), membership);
    outer.set(outerKey, grown);
    return null;
  }

  // Under the lock: removes the entry of innerKey from the entries of outerKey, and the entries once empty;
  // returns the membership removed, or null.
  @SuppressWarnings("unchecked")
  private <O> @Nullable M removeFrom(Slot<O> outer, O outerKey, Object innerKey, Key<?> key) {
    Object inner = outer.get(outerKey);
    if (inner == null) {
      return null;
    }
    if (!(inner instanceof ConcurrentHashMap<?, ?> map)) {
      M single = (M) inner;
      if (!key.of(single).equals(innerKey)) {
        return null;
      }
      outer.set(outerKey, null);
      return single;
    }
    M removed = (M) map.remove(innerKey);
    if (map.isEmpty()) {
      outer.set(outerKey, null);
    }
    return removed;
  }

  /** Takes a channel out of a room; false if it was not in it. */
  boolean leave(String room, C channel) {
    synchronized (lock) {
      if (removeFrom(byChannel, channel, room, ROOM) == null) {
        return false;
      }
      drop(room, channel);
      return true;
    }
  }

  /** Takes a channel out of every room it is in. */
  void leaveAll(C channel) {
    synchronized (lock) {
      Object held = byChannel.get(channel);
      if (held != null) {
        byChannel.set(channel, null);
        this.<String>byKey(held, ROOM).keySet().forEach(room -> drop(room, channel));
      }
    }
  }

  private void drop(String room, C channel) {
    if (removeFrom(byRoom, room, channel, CHANNEL) != null) {
      memberships--;
      Changes<C> listener = changes;
      if (listener != null) {
        listener.left(room, channel);
      }
    }
  }

  /** The rooms a channel is in, a copy. */
  Set<String> rooms(C channel) {
    Object rooms = byChannel.get(channel);
    return rooms == null ? Set.of() : Set.copyOf(this.<String>byKey(rooms, ROOM).keySet());
  }

  /** A channel's memberships by room, a copy. */
  Map<String, M> memberships(C channel) {
    Object rooms = byChannel.get(channel);
    return rooms == null ? Map.of() : Map.copyOf(byKey(rooms, ROOM));
  }

  /** The channels in a room, a copy. */
  Set<C> members(String room) {
    Object members = byRoom.get(room);
    return members == null ? Set.of() : Set.copyOf(this.<C>byKey(members, CHANNEL).keySet());
  }

  /** The memberships of a room, live: for delivering to each without copying. */
  Collection<M> membershipsIn(String room) {
    Object members = byRoom.get(room);
    if (members == null) {
      return List.of();
    }
    return members instanceof ConcurrentHashMap<?, ?> ? this.<C>byKey(members, CHANNEL).values()
        : List.of(single(members));
  }

  @SuppressWarnings("unchecked")
  private M single(Object inner) {
    return (M) inner;
  }

  /** The channels in any of the rooms, each once; live for a single room, to select without copying. */
  Collection<C> membersOfAny(Set<String> rooms) {
    if (rooms.size() == 1) {
      Object members = byRoom.get(rooms.iterator().next());
      if (members == null) {
        return List.of();
      }
      return members instanceof ConcurrentHashMap<?, ?> ? this.<C>byKey(members, CHANNEL).keySet()
          : List.of(single(members).channel());
    }
    Set<C> out = new LinkedHashSet<>();
    for (String room : rooms) {
      Object members = byRoom.get(room);
      if (members != null) {
        out.addAll(this.<C>byKey(members, CHANNEL).keySet());
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
    return roomEntries.size();
  }

  /** (room, channel) pairs, own rooms included. */
  int membershipCount() {
    return memberships;
  }
}
