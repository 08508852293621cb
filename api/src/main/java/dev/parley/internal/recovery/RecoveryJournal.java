package dev.parley.internal.recovery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The posted messages one channel was sent, as (room, id) in the order they went to its connection, for
 * connection state recovery: the client's offset (the id of the last one it received) then tells, for
 * every room, where it is. Bounded: past the capacity the oldest entry is dropped and remembered only as
 * its room's position ({@link Snapshot#evicted()}). Grows on demand, so a quiet channel holds a few slots.
 * Not thread-safe: the channel guards it.
 */
public final class RecoveryJournal {
  private final int capacity;
  private String[] rooms;
  private String[] ids;
  private int head;
  private int size;
  private final Map<String, String> evicted = new HashMap<>();

  public RecoveryJournal(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
    int initial = Math.min(capacity, 8);
    this.rooms = new String[initial];
    this.ids = new String[initial];
  }

  /** Records a message as sent; drops the oldest entry if full. */
  public void add(String room, String id) {
    if (size == capacity) {
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
    int length = Math.min(capacity, rooms.length * 2);
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
    return new Snapshot(roomList, idList, Map.copyOf(evicted));
  }

  /**
   * The journal at one moment.
   *
   * @param rooms the room of each entry, oldest first
   * @param ids the message id of each entry, parallel to {@code rooms}
   * @param evicted per room, the id of its last entry that was dropped for space
   */
  public record Snapshot(List<String> rooms, List<String> ids, Map<String, String> evicted) {
  }
}
