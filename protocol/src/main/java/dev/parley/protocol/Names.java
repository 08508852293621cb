package dev.parley.protocol;

import java.util.Objects;
import java.util.Set;

/** Validates event, room and namespace names, with one wording for every message. */
public final class Names {
  /** The longest event, room or namespace name, in chars. */
  public static final int MAX_NAME_LENGTH = 128;

  /** Event names Socket.IO keeps for itself; applications may neither emit nor handle them as events. */
  public static final Set<String> RESERVED_EVENTS = Set.of(
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

  private Names() {
  }

  /** Checks an event name the application emits. */
  public static String event(String name) {
    check("event name", name);
    if (RESERVED_EVENTS.contains(name)) {
      throw new IllegalArgumentException("event name is reserved by the protocol: " + quote(name)
          + " (reserved: " + String.join(", ", new java.util.TreeSet<>(RESERVED_EVENTS)) + ")");
    }
    return name;
  }

  /** Checks a room name. */
  public static String room(String name) {
    return check("room name", name);
  }

  /** Checks a namespace name. */
  public static String namespace(String name) {
    check("namespace name", name);
    if (name.charAt(0) != '/') {
      throw new IllegalArgumentException("namespace name must start with \"/\": " + quote(name));
    }
    return name;
  }

  /** Whether a name received from a client is acceptable as an event name; never throws. */
  public static boolean isValidInboundEvent(String name) {
    return problem(name) == null;
  }

  /** Whether a name received from a client is a well-formed namespace name; never throws. */
  public static boolean isValidNamespace(String name) {
    return problem(name) == null && name.charAt(0) == '/';
  }

  private static String check(String what, String name) {
    Objects.requireNonNull(name, what);
    String problem = problem(name);
    if (problem != null) {
      throw new IllegalArgumentException(what + " must be 1.." + MAX_NAME_LENGTH
          + " chars, no control characters (" + problem + "): " + quote(name));
    }
    return name;
  }

  private static @org.jspecify.annotations.Nullable String problem(String name) {
    if (name.isEmpty()) {
      return "empty";
    }
    if (name.length() > MAX_NAME_LENGTH) {
      return name.length() + " chars";
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        return "control character at " + i;
      }
    }
    return null;
  }

  /** A name quoted for a message or a log line, with control characters escaped and long ones cut. */
  public static String quote(String value) {
    return LogSafe.quote(value);
  }
}
