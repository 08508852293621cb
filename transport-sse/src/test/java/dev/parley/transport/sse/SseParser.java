package dev.parley.transport.sse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * An incremental {@code text/event-stream} parser that follows the WHATWG HTML "server-sent events"
 * interpretation rules, as a browser's {@code EventSource} does: lines end in CRLF, LF or CR (also when
 * a CRLF is split between two chunks); a leading BOM is dropped; {@code :} starts a comment; one space
 * after the colon is dropped; {@code data} lines are joined with LF; an event with no data is not
 * dispatched; an incomplete event at the end of the stream is discarded. Not thread-safe: feed it from
 * one thread at a time.
 */
final class SseParser {

  /**
   * One dispatched event.
   *
   * @param id the {@code id:} field given in this event's block, or null when the block had none (the
   *     WHATWG "last event ID" buffer, which carries over to later events, is {@link SseParser#lastEventId()})
   * @param event the event type ({@code "message"} when the block named none)
   * @param data the data lines joined with LF
   */
  record SseEvent(@Nullable String id, String event, String data) {
  }

  private final Consumer<SseEvent> events;
  private final Consumer<String> comments;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final StringBuilder data = new StringBuilder();
  private boolean started;
  private boolean afterCr;
  private String eventType = "";
  private @Nullable String blockId;
  private String lastEventId = "";
  private long retry = -1;

  SseParser(Consumer<SseEvent> events, Consumer<String> comments) {
    this.events = events;
    this.comments = comments;
  }

  /** Parses a chunk of the stream; CR and LF never occur inside a UTF-8 sequence, so lines split on bytes. */
  void feed(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (b == '\n' && afterCr) {
        afterCr = false;
        continue;
      }
      afterCr = false;
      if (b == '\r' || b == '\n') {
        afterCr = b == '\r';
        line(line.toString(StandardCharsets.UTF_8));
        line.reset();
      } else {
        line.write(b);
      }
    }
  }

  void feed(byte[] bytes) {
    feed(bytes, 0, bytes.length);
  }

  /** The WHATWG "last event ID" buffer: what an {@code EventSource} sends as {@code Last-Event-ID}. */
  String lastEventId() {
    return lastEventId;
  }

  /** The last {@code retry:} value in milliseconds, or -1. */
  long retry() {
    return retry;
  }

  private void line(String text) {
    if (!started) {
      started = true;
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
    }
    if (text.isEmpty()) {
      dispatch();
      return;
    }
    if (text.startsWith(":")) {
      comments.accept(text.substring(1));
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> eventType = value;
      case "data" -> data.append(value).append('\n');
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          lastEventId = value;
          blockId = value;
        }
      }
      case "retry" -> {
        if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
          retry = Long.parseLong(value);
        }
      }
      default -> {
        // Unknown fields are ignored.
      }
    }
  }

  private void dispatch() {
    String id = blockId;
    blockId = null;
    if (data.length() == 0) {
      eventType = "";
      return;
    }
    String text = data.substring(0, data.length() - 1);
    data.setLength(0);
    String type = eventType.isEmpty() ? "message" : eventType;
    eventType = "";
    events.accept(new SseEvent(id, type, text));
  }
}
