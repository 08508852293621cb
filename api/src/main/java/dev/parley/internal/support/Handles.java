package dev.parley.internal.support;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Field handles for per-connection flags and counters kept as plain volatile fields: an {@code AtomicX} object
 * per field costs 16 to 24 bytes for every idle connection, a handle is one per class.
 */
public final class Handles {
  private Handles() {
  }

  /**
   * The handle of a field of the class that made {@code lookup}.
   *
   * @param lookup {@code MethodHandles.lookup()} of the field's class
   * @return the handle
   * @throws IllegalStateException if there is no such field (a programming error)
   */
  public static VarHandle field(MethodHandles.Lookup lookup, String name, Class<?> type) {
    return field(lookup, lookup.lookupClass(), name, type);
  }

  /**
   * The handle of a field of {@code owner}, a class {@code lookup} has private access to (itself or a nestmate).
   *
   * @return the handle
   * @throws IllegalStateException if there is no such field (a programming error)
   */
  public static VarHandle field(MethodHandles.Lookup lookup, Class<?> owner, String name, Class<?> type) {
    try {
      return lookup.findVarHandle(owner, name, type);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
