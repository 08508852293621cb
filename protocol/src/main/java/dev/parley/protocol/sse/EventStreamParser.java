package dev.parley.protocol.sse;

import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code text/event-stream} line by line, as the WHATWG HTML standard's "interpreting an event
 * stream" says: {@code field: value} lines (one optional space after the colon is dropped), comments
 * ({@code :} first), {@code data:} lines joined with {@code "\n"}, an event dispatched at each blank line
 * (none if it had no {@code data:} line), type {@code message} when it had no {@code event:}, {@code id:}
 * values with U+0000 ignored, {@code retry:} only when all digits, other fields ignored, a leading byte
 * order mark dropped. Lines come already split on CR, LF or CRLF; an event cut off by the end of the
 * stream is never dispatched. One difference: the last event id starts as the one the previous stream
 * ended with, so that an event without an {@code id:} on a resumed stream keeps it. Not thread-safe.
 */
public final class EventStreamParser {
  /** The type of an event without an {@code event:} field. */
  public static final String DEFAULT_TYPE = "message";

  /**
   * A dispatched event.
   *
   * @param id its own {@code id:} field, or null when it had none
   * @param type its {@code event:} field, or {@code message}
   * @param data its {@code data:} lines, joined with {@code "\n"}
   * @param lastEventId the stream's last event id after this event, or null when there is none (an empty
   *     {@code id:} clears it)
   */
  public record Event(@Nullable String id, String type, String data, @Nullable String lastEventId) {
  }

  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private String type = "";
  private @Nullable String id;
  private @Nullable String lastEventId;
  private long retry = -1;
  private boolean first = true;

  /** A parser whose last event id starts as {@code lastEventId}. */
  public EventStreamParser(@Nullable String lastEventId) {
    this.lastEventId = lastEventId;
  }

  /** The last {@code retry:} value in milliseconds, or -1 if none came. */
  public long retry() {
    return retry;
  }

  /**
   * Reads one line, without its line terminator.
   *
   * @return the event a blank line completes, else null
   */
  public @Nullable Event line(String line) {
    if (first) {
      first = false;
      if (line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
    }
    if (line.isEmpty()) {
      return dispatch();
    }
    if (line.charAt(0) == ':') {
      return null;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> type = value;
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          id = value;
          lastEventId = value.isEmpty() ? null : value;
        }
      }
      case "retry" -> {
        if (!value.isEmpty() && value.length() < 19 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
          retry = Long.parseLong(value);
        }
      }
      default -> {
        // Unknown fields are ignored.
      }
    }
    return null;
  }

  private @Nullable Event dispatch() {
    Event event = hasData ? new Event(id, type.isEmpty() ? DEFAULT_TYPE : type, data.toString(), lastEventId) : null;
    data.setLength(0);
    hasData = false;
    type = "";
    id = null;
    return event;
  }
}
