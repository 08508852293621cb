package dev.parley.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks shared by every config and call that takes a duration, so that each says the same thing
 * in the same words. Stateless; thread-safe.
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
}
