package dev.parley.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks shared by the configs and by every call that takes a duration or a bounded number, so
 * that each says the same thing in the same words. Stateless; thread-safe.
 */
public final class Checks {
  private Checks() {
  }

  /**
   * Checks that {@code value} is a positive duration.
   *
   * @param name what the value is, for the message (a config setting's name, such as {@code "pingInterval"})
   * @return {@code value}
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if it is zero or negative: {@code "<name> must be positive: <value>"}
   */
  public static Duration positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  /**
   * Checks that {@code value} is at least {@code min}.
   *
   * @param name what the value is, for the message (a config setting's name, such as {@code "maxPendingAcks"})
   * @return {@code value}
   * @throws IllegalArgumentException if it is less: {@code "<name> must be at least <min>: <value>"}
   */
  public static long atLeast(String name, long value, long min) {
    return atLeast(name, value, min, "");
  }

  /**
   * Checks that {@code value}, counted in {@code unit}, is at least {@code min}.
   *
   * @param name what the value is, for the message (a config setting's name, such as {@code "maxPayload"})
   * @param unit what the value counts, for the message, such as {@code "bytes"}; empty for none
   * @return {@code value}
   * @throws IllegalArgumentException if it is less: {@code "<name> must be at least <min> <unit>: <value>"}
   */
  public static long atLeast(String name, long value, long min, String unit) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + (unit.isEmpty() ? "" : " " + unit)
          + ": " + value);
    }
    return value;
  }

  /**
   * Checks that {@code value} is in {@code min..max}, both included.
   *
   * @param name what the value is, for the message (a config setting's name, such as {@code "port"})
   * @return {@code value}
   * @throws IllegalArgumentException if it is outside: {@code "<name> must be <min>..<max>: <value>"}
   */
  public static long range(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be " + min + ".." + max + ": " + value);
    }
    return value;
  }
}
