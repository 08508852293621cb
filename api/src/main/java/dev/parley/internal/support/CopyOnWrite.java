package dev.parley.internal.support;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Steps of a copy-on-write map: an immutable map in a volatile field, replaced whole on each write (by
 * compare-and-set), for per-connection maps that are read often and written a few times in their life. Such a
 * map costs only its entries (none for {@code Map.of()}), where a {@code ConcurrentHashMap} costs its table,
 * a node per entry and a counter; reads stay lock-free. Each step returns a new immutable map, or the same one
 * when nothing changes.
 */
public final class CopyOnWrite {
  private CopyOnWrite() {
  }

  /**
   * {@code map} with {@code value} under {@code key}, in place of any value there.
   *
   * @return a new immutable map
   * @throws NullPointerException if {@code key} or {@code value} is null
   */
  public static <K, V> Map<K, V> with(Map<K, V> map, K key, V value) {
    if (map.isEmpty() || map.size() == 1 && map.containsKey(key)) {
      return Map.of(key, value);
    }
    Map<K, V> copy = new HashMap<>(map);
    copy.put(key, value);
    return Map.copyOf(copy);
  }

  /**
   * {@code map} without {@code key}, if its value there is {@code expected} (any value if {@code expected} is
   * null).
   *
   * @return a new immutable map, or {@code map} itself when there is nothing to remove
   */
  public static <K, V> Map<K, V> without(Map<K, V> map, K key, @Nullable V expected) {
    V current = map.get(key);
    if (current == null || expected != null && current != expected) {
      return map;
    }
    if (map.size() == 1) {
      return Map.of();
    }
    Map<K, V> copy = new HashMap<>(map);
    copy.remove(key);
    return Map.copyOf(copy);
  }
}
