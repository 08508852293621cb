package dev.parley.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.parley.protocol.sse.EventStreamParser;
import dev.parley.protocol.sse.SseData;
import dev.parley.testsupport.Allocations;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fuzzes how the client reads a {@code text/event-stream} body, as {@link SseLink} does: the bytes as they
 * arrive (in chunks of 1, 7 and 64 bytes in turn, so that a CR and its LF, or a UTF-8 sequence, can straddle
 * two) through {@link SseLink#eventStreamLines}, each line into {@link EventStreamParser}, each event's data
 * parsed as JSON and decoded by {@link SseData}. Whatever the server sends, the only failures are the defined ones
 * (data that is not JSON, dropped; a malformed envelope, {@code IllegalArgumentException}, which ends the link
 * with a parse error); anything else is a finding. Events hold no more text than the stream had, a call takes
 * well under 5 s, and the bytes allocated follow the stream's length. Without {@code JAZZER_FUZZ} it replays
 * the inputs under {@code SseStreamFuzzTestInputs}.
 */
class SseStreamFuzzTest {
  /** Longer streams are skipped: a few KiB reach every branch, and keep each run quick. */
  private static final int MAX_INPUT = 8 * 1024;
  private static final long SLOW_NANOS = 5_000_000_000L;
  private static final int[] CHUNKS = {1, 7, 64};
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  static {
    // Loaded and linked before anything is measured: the first stream loads much of java.net.http.
    for (int k = 0; k < 2; k++) {
      read(("event: parley:session\ndata: {\"sid\":\"a\"}\n\nid: 1\r\nevent: e\r\n"
          + "data: {\"parley:args\":[1],\"parley:ackId\":2}\r\n\r\ndata: {\"x\n\ndata: {\"parley:args\":7}\n\n")
          .getBytes(StandardCharsets.UTF_8));
      Allocations.current();
    }
  }

  @FuzzTest(maxDuration = "3m")
  void streamsAreReadOrRefused(byte[] input) {
    if (input.length > MAX_INPUT) {
      return;
    }
    long started = System.nanoTime();
    long before = Allocations.current();
    Reader reader = read(input);
    long allocated = Allocations.current() - before;
    long elapsed = System.nanoTime() - started;
    long limit = 4L * 1024 * 1024 + 256L * input.length;
    if (allocated >= limit) {
      // Classes loaded (and instrumented) for a path taken the first time count against this thread: again.
      before = Allocations.current();
      reader = read(input);
      allocated = Allocations.current() - before;
    }

    assertThat(reader.completed).as("the line subscriber completed on this thread").isTrue();
    assertThat(reader.events.size()).isLessThanOrEqualTo(reader.lines);
    long text = 0;
    for (EventStreamParser.Event event : reader.events) {
      assertThat(event.type()).isNotEmpty();
      assertThat(event.data()).doesNotContain("\r");
      // The default type is the parser's, not the stream's.
      text += event.data().length() + (event.type().equals(EventStreamParser.DEFAULT_TYPE) ? 0 : event.type().length());
      if (event.id() != null) {
        assertThat(event.id()).doesNotContain("\0", "\n", "\r");
      }
    }
    // UTF-8 decoding makes at most one char per byte (one U+FFFD for each malformed byte at most). The JDK's
    // own line decoding made up to 30 per byte of a run of malformed ones cut by chunk boundaries.
    assertThat(text).isLessThanOrEqualTo(input.length);
    assertThat(reader.parser.retry()).isGreaterThanOrEqualTo(-1);
    assertThat(elapsed).as("nanoseconds for %d bytes", input.length).isLessThan(SLOW_NANOS);
    assertThat(allocated).as("bytes allocated for %d bytes", input.length).isLessThan(limit);
    for (String refusal : reader.refusals) {
      assertThat(refusal).isNotBlank();
    }
  }

  /** Feeds the stream in chunks to SseLink's line reading, as the HttpClient does. */
  private static Reader read(byte[] input) {
    Reader reader = new Reader();
    Flow.Subscriber<List<ByteBuffer>> body = SseLink.eventStreamLines(reader);
    body.onSubscribe(new Flow.Subscription() {
      @Override
      public void request(long n) {
      }

      @Override
      public void cancel() {
      }
    });
    for (int from = 0, k = 0; from < input.length; k++) {
      int to = Math.min(input.length, from + CHUNKS[k % CHUNKS.length]);
      body.onNext(List.of(ByteBuffer.wrap(input, from, to - from)));
      from = to;
    }
    body.onComplete();
    return reader;
  }

  /** The stream's lines, as SseLink's own subscriber takes them, and each event's data as SseLink decodes it. */
  private static final class Reader implements Flow.Subscriber<String> {
    private final EventStreamParser parser = new EventStreamParser(null);
    private final List<EventStreamParser.Event> events = new ArrayList<>();
    // The messages of malformed envelopes (IllegalArgumentException), checked after the measured part.
    private final List<String> refusals = new ArrayList<>();
    private int lines;
    private boolean completed;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      lines++;
      if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
        throw new AssertionError("a line with a line end: " + line);
      }
      EventStreamParser.Event event = parser.line(line);
      if (event != null) {
        events.add(event);
        decode(event.data());
      }
    }

    @Override
    public void onError(Throwable error) {
      throw new AssertionError("the line subscriber failed", error);
    }

    @Override
    public void onComplete() {
      completed = true;
    }

    private void decode(String data) {
      if (data.isEmpty()) {
        return;
      }
      JsonNode value;
      try {
        value = MAPPER.readTree(data);
      } catch (JacksonException notJson) {
        return;
      }
      if (value == null || value.isMissingNode()) {
        return;
      }
      try {
        SseData.Decoded decoded = SseData.decode(value);
        if (decoded.ackId() != null && decoded.ackId() < 0) {
          throw new AssertionError("a negative ack id: " + decoded.ackId());
        }
      } catch (IllegalArgumentException malformedEnvelope) {
        refusals.add(String.valueOf(malformedEnvelope.getMessage()));
      }
    }
  }


}
