package dev.parley.protocol.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The WHATWG event-stream rules the SSE mode reads by, line by line. */
class EventStreamParserTest {

  private static List<EventStreamParser.Event> read(EventStreamParser parser, String... lines) {
    List<EventStreamParser.Event> events = new ArrayList<>();
    for (String line : lines) {
      EventStreamParser.Event event = parser.line(line);
      if (event != null) {
        events.add(event);
      }
    }
    return events;
  }

  @Test
  void joinsDataLinesAndDefaultsTheType() {
    List<EventStreamParser.Event> events = read(new EventStreamParser(null),
        "data: {\"a\":", "data:  1}", "", "event: chat", "data:x", "");

    assertThat(events).containsExactly(
        new EventStreamParser.Event(null, "message", "{\"a\":\n 1}", null),
        new EventStreamParser.Event(null, "chat", "x", null));
  }

  @Test
  void commentsUnknownFieldsAndEventsWithoutDataDispatchNothing() {
    EventStreamParser parser = new EventStreamParser(null);

    assertThat(read(parser, ": ping", "", "event: lonely", "", "foo: bar", "data", "")).containsExactly(
        new EventStreamParser.Event(null, "message", "", null));
  }

  @Test
  void theLastEventIdCarriesOverUntilAnEmptyIdClearsIt() {
    EventStreamParser parser = new EventStreamParser("7");

    List<EventStreamParser.Event> events = read(parser, "data: a", "", "id: 8", "data: b", "",
        "data: c", "", "id: bad\0id", "data: d", "", "id", "data: e", "");

    assertThat(events).extracting(EventStreamParser.Event::id).containsExactly(null, "8", null, null, "");
    assertThat(events).extracting(EventStreamParser.Event::lastEventId).containsExactly("7", "8", "8", "8", null);
  }

  @Test
  void readsRetryOnlyWhenItIsAllDigitsAndDropsALeadingByteOrderMark() {
    EventStreamParser parser = new EventStreamParser(null);

    assertThat(read(parser, "\uFEFFretry: 2000", "retry: 3s", "retry:", "")).isEmpty();
    assertThat(parser.retry()).isEqualTo(2000);
    // Only at the start of the stream: later, it is part of a field name nobody knows.
    assertThat(read(parser, "\uFEFFdata: dropped", "")).isEmpty();
  }

  @Test
  void anEventCutOffByTheEndOfTheStreamIsNotDispatched() {
    assertThat(read(new EventStreamParser(null), "event: chat", "data: half")).isEmpty();
  }
}
