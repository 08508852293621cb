package dev.parley.store.memory;

import dev.parley.Message;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** One room's retained messages: a ring that grows up to its limit, then drops the oldest. */
final class MessageLog {
  private final int limit;
  private Message[] ring = new Message[16];
  private int head;
  private int size;

  MessageLog(int limit) {
    this.limit = limit;
  }

  void add(Message message) {
    if (size == ring.length && ring.length < limit) {
      Message[] grown = new Message[Math.min(limit, ring.length * 2)];
      for (int i = 0; i < size; i++) {
        grown[i] = get(i);
      }
      ring = grown;
      head = 0;
    }
    if (size < ring.length) {
      ring[(head + size) % ring.length] = message;
      size++;
    } else {
      ring[head] = message;
      head = (head + 1) % ring.length;
    }
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
