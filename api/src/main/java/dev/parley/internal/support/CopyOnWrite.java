package dev.parley.internal.support;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Steps of a copy-on-write map: an immutable map in a volatile field, replaced whole on each write (by
 * compare-and-set), for per-connection maps that are read often and written a few times in their life. Such a
 * map costs only its entries (none for {@code Map.of()}), where a {@code ConcurrentHashMap} costs its table,
 * a node per entry and a counter; reads stay lock-free. Each step returns a new immutable map, or the same one
 * when nothing changes.
 */
public final class CopyOnWrite {
  // The most entries a map keeps in the scanned form; a larger one is hashed (Map.copyOf).
  private static final int SMALL = 8;

  private CopyOnWrite() {
  }

  /**
   * {@code map} with {@code value} under {@code key}, in place of any value there.
   *
   * @return a new immutable map
   * @throws NullPointerException if {@code key} or {@code value} is null
   */
  public static <K, V> Map<K, V> with(Map<K, V> map, K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (map.isEmpty() || map.size() == 1 && map.containsKey(key)) {
      return Map.of(key, value);
    }
    if (map.size() < SMALL || map.size() == SMALL && map.containsKey(key)) {
      return Small.with(map, key, value);
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
    if (map.size() <= SMALL + 1) {
      return Small.without(map, key);
    }
    Map<K, V> copy = new HashMap<>(map);
    copy.remove(key);
    return Map.copyOf(copy);
  }

  /**
   * An immutable map of up to {@value #SMALL} entries in two arrays, looked up by a scan: a step copies the arrays,
   * not a {@code HashMap} and then its entries (a channel registering its handlers one {@code on} after another
   * made both for each). Entries in the order they were added.
   */
  private static final class Small<K, V> extends AbstractMap<K, V> {
    private final Object[] keys;
    private final Object[] values;

    private Small(Object[] keys, Object[] values) {
      this.keys = keys;
      this.values = values;
    }

    static <K, V> Map<K, V> with(Map<K, V> map, K key, V value) {
      int size = map.size();
      Object[] keys = new Object[size + 1];
      Object[] values = new Object[size + 1];
      int at = 0;
      int replaced = -1;
      for (Map.Entry<K, V> entry : map.entrySet()) {
        if (entry.getKey().equals(key)) {
          replaced = at;
        }
        keys[at] = entry.getKey();
        values[at] = entry.getValue();
        at++;
      }
      if (replaced >= 0) {
        values[replaced] = value;
        return new Small<>(Arrays.copyOf(keys, size), Arrays.copyOf(values, size));
      }
      keys[size] = key;
      values[size] = value;
      return new Small<>(keys, values);
    }

    static <K, V> Map<K, V> without(Map<K, V> map, K key) {
      int size = map.size();
      Object[] keys = new Object[size - 1];
      Object[] values = new Object[size - 1];
      int at = 0;
      for (Map.Entry<K, V> entry : map.entrySet()) {
        if (!entry.getKey().equals(key)) {
          keys[at] = entry.getKey();
          values[at] = entry.getValue();
          at++;
        }
      }
      return at == 1 ? Map.of(cast(keys[0]), cast(values[0])) : new Small<>(keys, values);
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object value) {
      return (T) value;
    }

    @Override
    public int size() {
      return keys.length;
    }

    @Override
    public @Nullable V get(@Nullable Object key) {
      for (int i = 0; i < keys.length; i++) {
        if (keys[i].equals(key)) {
          return cast(values[i]);
        }
      }
      return null;
    }

    @Override
    public boolean containsKey(@Nullable Object key) {
      for (Object candidate : keys) {
        if (candidate.equals(key)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
      for (int i = 0; i < keys.length; i++) {
        action.accept(cast(keys[i]), cast(values[i]));
      }
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public int size() {
          return keys.length;
        }

        @Override
        public Iterator<Map.Entry<K, V>> iterator() {
          return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < keys.length;
            }

            @Override
            public Map.Entry<K, V> next() {
              if (next >= keys.length) {
                throw new NoSuchElementException();
              }
              int at = next++;
              return new AbstractMap.SimpleImmutableEntry<>(cast(keys[at]), cast(values[at]));
            }
          };
        }
      };
    }
  }
}
