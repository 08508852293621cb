package dev.parley.store.memory;

import dev.parley.Message;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One room's retained messages with the bytes each holds (see {@link MemorySize}): a ring that grows up
 * to its count limit, then drops the oldest; the store drops more of the oldest to keep within its byte
 * bounds. The ring shrinks again when it is mostly empty, so a room that was trimmed holds few slots.
 * Not thread-safe: the store guards it.
 */
final class MessageLog {
  private static final int MIN_CAPACITY = 16;

  /** The store's key for this room. */
  final Object key;
  private final int limit;
  /** Breaks ties between rooms of equal size in the store's order; unique per log. */
  final long order;
  private Message[] ring = new Message[MIN_CAPACITY];
  private long[] sizes = new long[MIN_CAPACITY];
  private int head;
  private int size;
  private long bytes;

  MessageLog(Object key, int limit, long order) {
    this.key = key;
    this.limit = limit;
    this.order = order;
  }

  /** Appends a message; if the room already holds its count limit, drops the oldest first. */
  void add(Message message, long messageBytes) {
    if (size == limit) {
      removeOldest();
    }
    if (size == ring.length) {
      resize(Math.min(limit, ring.length * 2));
    }
    int slot = (head + size) % ring.length;
    ring[slot] = message;
    sizes[slot] = messageBytes;
    size++;
    bytes += messageBytes;
  }

  /** Drops the oldest message; the log must not be empty. */
  void removeOldest() {
    bytes -= sizes[head];
    ring[head] = null;
    sizes[head] = 0;
    head = (head + 1) % ring.length;
    size--;
    if (ring.length > MIN_CAPACITY && size <= ring.length / 4) {
      resize(Math.max(MIN_CAPACITY, ring.length / 2));
    }
  }

  private void resize(int capacity) {
    Message[] newRing = new Message[capacity];
    long[] newSizes = new long[capacity];
    for (int i = 0; i < size; i++) {
      int slot = (head + i) % ring.length;
      newRing[i] = ring[slot];
      newSizes[i] = sizes[slot];
    }
    ring = newRing;
    sizes = newSizes;
    head = 0;
  }

  /** What the retained messages hold, by {@link MemorySize}. */
  long bytes() {
    return bytes;
  }

  int size() {
    return size;
  }

  private Message get(int index) {
    return ring[(head + index) % ring.length];
  }

  /** The first {@code limit} messages with an id greater than {@code after} and below {@code before} (if set). */
  List<Message> after(String after, @Nullable String before, int limit) {
    int from = firstIndexAbove(after);
    int to = before == null ? size : firstIndexAtOrAbove(before);
    return copy(from, Math.max(from, Math.min(to, from + limit)));
  }

  /** The last {@code limit} messages with an id below {@code before} (all, when null). */
  List<Message> latest(@Nullable String before, int limit) {
    int to = before == null ? size : firstIndexAtOrAbove(before);
    return copy(Math.max(0, to - limit), to);
  }

  private List<Message> copy(int from, int to) {
    List<Message> out = new ArrayList<>(Math.max(0, to - from));
    for (int i = from; i < to; i++) {
      out.add(get(i));
    }
    return out;
  }

  private int firstIndexAbove(String id) {
    int low = 0;
    int high = size;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (get(mid).id().compareTo(id) <= 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  private int firstIndexAtOrAbove(String id) {
    int low = 0;
    int high = size;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (get(mid).id().compareTo(id) < 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }
}
