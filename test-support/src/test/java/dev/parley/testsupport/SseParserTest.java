package dev.parley.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testsupport.SseParser.SseEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test fixture's parser follows the WHATWG examples, so the transport tests can trust it. */
class SseParserTest {
  private final List<SseEvent> events = new ArrayList<>();
  private final List<String> comments = new ArrayList<>();
  private final SseParser parser = new SseParser(events::add, comments::add);

  private void feed(String... chunks) {
    for (String chunk : chunks) {
      parser.feed(chunk.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void joinsDataLinesAndDropsOneSpaceAfterTheColon() {
    feed("data: YHOO\ndata: +2\ndata:10\n\n");
    assertThat(events).containsExactly(new SseEvent(null, "message", "YHOO\n+2\n10"));
  }

  @Test
  void acceptsEveryLineTerminatorEvenWhenCrLfIsSplitAcrossChunks() {
    feed("\uFEFFevent: a\r", "\ndata: 1\r\r", "event: b\rdata: 2\n", "\n");
    assertThat(events).containsExactly(new SseEvent(null, "a", "1"), new SseEvent(null, "b", "2"));
  }

  @Test
  void keepsTheLastEventIdAcrossEventsAndIgnoresCommentsAndUnknownFields() {
    feed(": ping\n\nid: 7\nevent: chat\ndata\nfoo: bar\n\nevent: x\ndata: y\n\nid\ndata: z\n\n");
    assertThat(comments).containsExactly(" ping");
    assertThat(events).containsExactly(new SseEvent("7", "chat", ""), new SseEvent(null, "x", "y"),
        new SseEvent("", "message", "z"));
    assertThat(parser.lastEventId()).isEmpty();
  }

  @Test
  void doesNotDispatchAnEventWithoutDataNorAnUnfinishedOne() {
    feed("event: empty\n\nretry: 1x\nretry: 500\n\ndata: cut");
    assertThat(events).isEmpty();
    assertThat(parser.retry()).isEqualTo(500);
  }
}
