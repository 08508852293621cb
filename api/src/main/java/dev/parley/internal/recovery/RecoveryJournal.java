package dev.parley.internal.recovery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The posted messages one channel was sent, as (room, id) in the order they went to its connection, for
 * connection state recovery: the client's offset (the id of the last one it received) then tells, for
 * every room, where it is. Bounded: past the capacity the oldest entry is dropped and remembered only as
 * its room's position ({@link Snapshot#evicted()}). Grows on demand: a channel that was sent nothing holds
 * no slots, a quiet one a few.
 * Not thread-safe: the channel guards it.
 */
public final class RecoveryJournal {
  private static final String[] NONE = {};
  private final int capacity;
  private String[] rooms = NONE;
  private String[] ids = NONE;
  private int head;
  private int size;
  // Made by the first eviction: most journals never fill.
  private @Nullable Map<String, String> evicted;

  public RecoveryJournal(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
  }

  /** Records a message as sent; drops the oldest entry if full. */
  public void add(String room, String id) {
    if (size == capacity) {
      if (evicted == null) {
        evicted = new HashMap<>();
      }
      evicted.put(rooms[head], ids[head]);
      rooms[head] = room;
      ids[head] = id;
      head = (head + 1) % rooms.length;
      return;
    }
    if (size == rooms.length) {
      grow();
    }
    int tail = (head + size) % rooms.length;
    rooms[tail] = room;
    ids[tail] = id;
    size++;
  }

  private void grow() {
    int length = Math.min(capacity, Math.max(8, rooms.length * 2));
    String[] newRooms = new String[length];
    String[] newIds = new String[length];
    for (int i = 0; i < size; i++) {
      newRooms[i] = rooms[(head + i) % rooms.length];
      newIds[i] = ids[(head + i) % rooms.length];
    }
    rooms = newRooms;
    ids = newIds;
    head = 0;
  }

  /** Entries held now. */
  public int size() {
    return size;
  }

  /** A copy of the entries, oldest first, and the last dropped id of each room. */
  public Snapshot snapshot() {
    List<String> roomList = new ArrayList<>(size);
    List<String> idList = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      roomList.add(rooms[(head + i) % rooms.length]);
      idList.add(ids[(head + i) % rooms.length]);
    }
    return new Snapshot(roomList, idList, evicted == null ? Map.of() : Map.copyOf(evicted));
  }

  /**
   * The journal at one moment.
   *
   * @param rooms the room of each entry, oldest first
   * @param ids the message id of each entry, parallel to {@code rooms}
   * @param evicted per room, the id of its last entry that was dropped for space
   */
  public record Snapshot(List<String> rooms, List<String> ids, Map<String, String> evicted) {
    /** A journal with nothing in it. */
    public static final Snapshot EMPTY = new Snapshot(List.of(), List.of(), Map.of());
  }
}
