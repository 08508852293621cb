package dev.parley.protocol.support;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A set of objects there is one of per connection (the open sessions, the sessions a timer beats for), kept as a
 * list through the members' own fields: adding and removing cost no entry object, where a concurrent set would
 * keep one per connection (32 bytes) for the connection's life.
 *
 * <p>Not thread-safe: the owner guards the roster and its members' places with one lock of its own. A member is
 * in at most one roster.
 *
 * @param <T> the members, which extend {@link Member}
 */
public final class Roster<T extends Roster.Member<T>> {
  private @Nullable T newest;
  private int size;

  /** What a roster keeps in each member: its neighbours and whether it is in. Guarded by the roster's owner. */
  public abstract static class Member<T extends Member<T>> {
    private @Nullable T newer;
    private @Nullable T older;
    private boolean listed;
  }

  /**
   * Adds {@code member}, newest first.
   *
   * @return false if it was in already (nothing changes)
   */
  public boolean add(T member) {
    Member<T> place = member;
    if (place.listed) {
      return false;
    }
    place.listed = true;
    place.newer = null;
    place.older = newest;
    T first = newest;
    if (first != null) {
      place(first).newer = member;
    }
    newest = member;
    size++;
    return true;
  }

  // The member as the roster sees it: its private fields are reachable through Member<T>, not through T.
  private static <T extends Member<T>> Member<T> place(T member) {
    return member;
  }

  /**
   * Takes {@code member} out.
   *
   * @return false if it was not in (nothing changes)
   */
  public boolean remove(T member) {
    Member<T> place = member;
    if (!place.listed) {
      return false;
    }
    place.listed = false;
    T newer = place.newer;
    T older = place.older;
    if (newer == null) {
      newest = older;
    } else {
      place(newer).older = older;
    }
    if (older != null) {
      place(older).newer = newer;
    }
    place.newer = null;
    place.older = null;
    size--;
    return true;
  }

  /** How many members are in. */
  public int size() {
    return size;
  }

  /** The members, newest first, in a new list. */
  public List<T> snapshot() {
    List<T> all = new ArrayList<>(size);
    for (T member = newest; member != null; member = place(member).older) {
      all.add(member);
    }
    return all;
  }
}
