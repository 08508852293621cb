package dev.parley.testsupport;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;

/**
 * The bytes the current thread has allocated so far, from HotSpot's per-thread counter
 * ({@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}), for tests that check a decoder
 * allocates in proportion to its input. Through a method handle, looked up once: no boxing, no reflective
 * accessor generated part-way through a fuzzing run, so a reading allocates nothing itself.
 */
public final class Allocations {
  private static final Object THREADS = ManagementFactory.getThreadMXBean();
  private static final MethodHandle COUNTER = counter();

  private Allocations() {
  }

  /** Bytes this thread has allocated so far. */
  public static long current() {
    try {
      return (long) COUNTER.invokeExact(THREADS);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private static MethodHandle counter() {
    try {
      Class<?> bean = Class.forName("com.sun.management.ThreadMXBean");
      MethodHandle handle = MethodHandles.publicLookup().findVirtual(bean, "getCurrentThreadAllocatedBytes",
          MethodType.methodType(long.class)).asType(MethodType.methodType(long.class, Object.class));
      long warm = (long) handle.invokeExact(THREADS);
      if (warm < 0) {
        throw new IllegalStateException("thread allocation counting is off");
      }
      return handle;
    } catch (Throwable e) {
      throw new IllegalStateException("needs a HotSpot JVM", e);
    }
  }
}
