package dev.parley.transport.sse.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.parley.protocol.JsonCost;
import dev.parley.protocol.sse.PostBody;
import dev.parley.testsupport.Allocations;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fuzzes what the SSE transport does with a POST body ({@link SseServlet#received}: its cost estimated by
 * {@link JsonCost}, then {@link PostBody#parse}) with any bytes. Whatever they are, the body is an event or an
 * answer, or a {@link PostBody.BadPostException} (the 400 answer); anything else (an exception the servlet
 * would answer with 500, an overflow of the stack or the heap) is a finding; a call takes well under 5 s; the
 * bytes allocated follow the body's length; what was accepted can be sent on. Without {@code JAZZER_FUZZ} it
 * replays the inputs under {@code PostBodyFuzzTestInputs}.
 */
class PostBodyFuzzTest {
  /** Longer bodies are skipped: a few KiB reach every branch, and keep each run quick. */
  private static final int MAX_INPUT = 8 * 1024;
  private static final long SLOW_NANOS = 5_000_000_000L;
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  static {
    // Loaded and linked before anything is measured.
    new PostBodyFuzzTest().bodiesAreEventsAnswersOrBadPosts("{\"event\":\"e\",\"args\":[[1],{}]}".getBytes());
    new PostBodyFuzzTest().bodiesAreEventsAnswersOrBadPosts("[".getBytes());
  }

  @FuzzTest(maxDuration = "3m")
  void bodiesAreEventsAnswersOrBadPosts(byte[] body) {
    if (body.length > MAX_INPUT) {
      return;
    }
    long limit = 4L * 1024 * 1024 + 256L * body.length;
    Run run = new Run(body);
    if (run.allocated >= limit) {
      // Classes loaded (and instrumented) for a path taken the first time count against this thread: again.
      run = new Run(body);
    }
    assertThat(run.cost).isGreaterThanOrEqualTo(2L * body.length);
    assertThat(run.elapsed).as("nanoseconds for %d bytes", body.length).isLessThan(SLOW_NANOS);
    assertThat(run.allocated).as("bytes allocated for %d bytes", body.length).isLessThan(limit);
    if (run.decoded != null) {
      PostBodyHostileTest.checkAccepted(run.decoded);
    } else {
      assertThat(run.refusal).isNotBlank();
    }
  }

  /** The body's cost and decoding, with the bytes allocated and the time taken. */
  private static final class Run {
    private final long cost;
    private @Nullable PostBody decoded;
    private @Nullable String refusal;
    private final long allocated;
    private final long elapsed;

    Run(byte[] body) {
      long started = System.nanoTime();
      long before = Allocations.current();
      cost = JsonCost.of(body);
      try {
        decoded = PostBody.parse(MAPPER, body);
      } catch (PostBody.BadPostException e) {
        refusal = e.getMessage();
      }
      allocated = Allocations.current() - before;
      elapsed = System.nanoTime() - started;
    }
  }
}
