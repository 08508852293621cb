package dev.parley.internal.support;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An immutable map of strings kept as one flat array of name and value pairs: the smallest form for the
 * headers, query parameters and cookies each connection keeps for its life, where a {@code HashMap} or
 * {@code Map.copyOf} costs a table, and a list per name. A name's pairs are adjacent, names in the order they
 * were given. Lookups scan the array, which suits the few dozen entries of a request and the rare reads of a
 * handshake. No nulls; every mutator throws {@link UnsupportedOperationException}. Thread-safe (immutable).
 *
 * @param <V> a name's value: all its values ({@link #ofLists}) or its one value ({@link #of})
 */
public abstract sealed class PairMap<V> extends AbstractMap<String, V> {
  // name, value, name, value...: the pairs of one name adjacent.
  final String[] pairs;
  private final int size;

  private PairMap(String[] pairs, int size) {
    this.pairs = pairs;
    this.size = size;
  }

  /**
   * Name and value pairs as they came ({@code pairs[0]} a name, {@code pairs[1]} its value, and so on, the first
   * {@code length} entries) in a compact immutable map whose values are immutable lists: a name's values in the
   * order given, names in the order they first appear. Groups the pairs in place when a name comes more than once
   * apart; takes ownership of {@code pairs} (the caller must not change it afterwards).
   *
   * @return the map, an empty {@code Map.of()} if {@code length} is 0
   * @throws NullPointerException if a name or a value is null
   * @throws IllegalArgumentException if {@code length} is odd or beyond the array
   */
  public static Map<String, List<String>> ofPairs(String[] pairs, int length) {
    if (length % 2 != 0 || length > pairs.length) {
      throw new IllegalArgumentException("not " + length + " name and value pairs in an array of " + pairs.length);
    }
    if (length == 0) {
      return Map.of();
    }
    int names = 0;
    // Each name's later pairs are moved up behind its first ones, keeping the order of everything else.
    for (int at = 0; at < length; ) {
      String name = Objects.requireNonNull(pairs[at], "name");
      Objects.requireNonNull(pairs[at + 1], "value");
      names++;
      int end = at + 2;
      while (end < length && name.equals(pairs[end])) {
        Objects.requireNonNull(pairs[end + 1], "value");
        end += 2;
      }
      for (int later = end; later < length; later += 2) {
        if (name.equals(pairs[later])) {
          String value = Objects.requireNonNull(pairs[later + 1], "value");
          System.arraycopy(pairs, end, pairs, end + 2, later - end);
          pairs[end] = name;
          pairs[end + 1] = value;
          end += 2;
        }
      }
      at = end;
    }
    String[] exact = length == pairs.length ? pairs : Arrays.copyOf(pairs, length);
    return new Lists(exact, names);
  }

  /**
   * The map in a compact immutable form.
   *
   * @return the map, an empty {@code Map.of()} if {@code map} is empty
   * @throws NullPointerException if a name or a value is null
   */
  public static Map<String, String> of(Map<String, String> map) {
    if (map.isEmpty()) {
      return Map.of();
    }
    String[] pairs = new String[map.size() * 2];
    int at = 0;
    for (Map.Entry<String, String> entry : map.entrySet()) {
      pairs[at++] = Objects.requireNonNull(entry.getKey(), "name");
      pairs[at++] = Objects.requireNonNull(entry.getValue(), "value");
    }
    return new Singles(pairs, map.size());
  }

  /**
   * {@code map} itself if it is a {@code PairMap}, else {@link Map#copyOf}: what a record holding these maps
   * does with the maps it is given, so that one built by {@link #ofLists} or {@link #of} is not copied again.
   *
   * @throws NullPointerException if {@code map} holds a null
   */
  public static <V> Map<String, V> copyOf(Map<String, V> map) {
    return map instanceof PairMap<?> ? map : Map.copyOf(map);
  }

  /** The value of the name whose pairs run from {@code from} (inclusive) to {@code to} (exclusive). */
  abstract V value(int from, int to);

  // The end of the run of pairs of the name at index from.
  private int runEnd(int from) {
    int to = from + 2;
    while (to < pairs.length && pairs[to].equals(pairs[from])) {
      to += 2;
    }
    return to;
  }

  private int indexOf(@Nullable Object name) {
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean isEmpty() {
    return size == 0;
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public @Nullable V get(@Nullable Object key) {
    int from = indexOf(key);
    return from < 0 ? null : value(from, runEnd(from));
  }

  @Override
  public Set<Map.Entry<String, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Map.Entry<String, V>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < pairs.length;
          }

          @Override
          public Map.Entry<String, V> next() {
            if (next >= pairs.length) {
              throw new NoSuchElementException();
            }
            int from = next;
            next = runEnd(from);
            return new AbstractMap.SimpleImmutableEntry<>(pairs[from], value(from, next));
          }
        };
      }
    };
  }

  @Override
  public V put(String key, V value) {
    throw immutable();
  }

  @Override
  public V remove(Object key) {
    throw immutable();
  }

  @Override
  public void putAll(Map<? extends String, ? extends V> map) {
    throw immutable();
  }

  @Override
  public void clear() {
    throw immutable();
  }

  @Override
  public void replaceAll(BiFunction<? super String, ? super V, ? extends V> function) {
    throw immutable();
  }

  @Override
  public V putIfAbsent(String key, V value) {
    throw immutable();
  }

  @Override
  public V computeIfAbsent(String key, Function<? super String, ? extends V> function) {
    throw immutable();
  }

  @Override
  public V merge(String key, V value, BiFunction<? super V, ? super V, ? extends V> function) {
    throw immutable();
  }

  private static UnsupportedOperationException immutable() {
    return new UnsupportedOperationException("immutable map");
  }

  /** Each name with all its values, in order, as an immutable list made when asked for. */
  private static final class Lists extends PairMap<List<String>> {
    Lists(String[] pairs, int size) {
      super(pairs, size);
    }

    @Override
    List<String> value(int from, int to) {
      String[] values = new String[(to - from) / 2];
      for (int i = 0; i < values.length; i++) {
        values[i] = pairs[from + 2 * i + 1];
      }
      return List.of(values);
    }
  }

  /** Each name (once) with its one value. */
  private static final class Singles extends PairMap<String> {
    Singles(String[] pairs, int size) {
      super(pairs, size);
    }

    @Override
    String value(int from, int to) {
      return pairs[from + 1];
    }
  }
}
