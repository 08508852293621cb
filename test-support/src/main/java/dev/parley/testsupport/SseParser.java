package dev.parley.testsupport;

import dev.parley.protocol.sse.EventStreamParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@code text/event-stream} read from raw bytes as a browser's {@code EventSource} reads it: lines end
 * in CRLF, LF or CR (also when a CRLF is split between two chunks), and each line goes to the protocol's
 * {@link EventStreamParser}, which applies the WHATWG interpretation rules. Comments, which the
 * {@code EventSource} drops, are reported too, so that tests can see heartbeats. Not thread-safe: feed
 * it from one thread at a time.
 */
public final class SseParser {

  /**
   * One dispatched event.
   *
   * @param id the {@code id:} field given in this event's block, or null when the block had none (the
   *     WHATWG "last event ID" buffer, which carries over to later events, is {@link SseParser#lastEventId()})
   * @param event the event type ({@code "message"} when the block named none)
   * @param data the data lines joined with LF
   */
  public record SseEvent(@Nullable String id, String event, String data) {
  }

  private final Consumer<SseEvent> events;
  private final Consumer<String> comments;
  private final EventStreamParser parser = new EventStreamParser(null);
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private boolean afterCr;
  private @Nullable String lastEventId;

  /** A parser that hands each dispatched event to {@code events} and each comment (after its colon) to {@code comments}. */
  public SseParser(Consumer<SseEvent> events, Consumer<String> comments) {
    this.events = events;
    this.comments = comments;
  }

  /** Parses a chunk of the stream; CR and LF never occur inside a UTF-8 sequence, so lines split on bytes. */
  public void feed(byte[] bytes, int offset, int length) {
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

  /** Parses a chunk of the stream. */
  public void feed(byte[] bytes) {
    feed(bytes, 0, bytes.length);
  }

  /** The WHATWG "last event ID" buffer: what an {@code EventSource} sends as {@code Last-Event-ID}; "" for none. */
  public String lastEventId() {
    return lastEventId == null ? "" : lastEventId;
  }

  /** The last {@code retry:} value in milliseconds, or -1. */
  public long retry() {
    return parser.retry();
  }

  private void line(String text) {
    // The parser drops comments; the BOM check keeps a first line of "\uFEFF:..." a comment too.
    if (text.startsWith(":") || text.startsWith("\uFEFF:")) {
      comments.accept(text.substring(text.indexOf(':') + 1));
    }
    EventStreamParser.Event event = parser.line(text);
    if (event != null) {
      lastEventId = event.lastEventId();
      events.accept(new SseEvent(event.id(), event.type(), event.data()));
    }
  }
}
