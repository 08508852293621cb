package dev.parley.transport.websocket.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.LogSafe;
import dev.parley.testsupport.Allocations;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fuzzes the Engine.IO long-polling payload decoder ({@link PollingSession#posted}: a POST body's packets,
 * separated by {@code \u001e}, binary ones as {@code b} + base64) with any body, read as UTF-8 as
 * {@link Polling} reads it. Whatever it is, the session either goes on or closes for a reason of the client's
 * making (PARSE_ERROR, or its own close packet), never for a server error; {@code posted} says whether it is
 * still open; a call takes well under 5 s; the bytes allocated follow the body's length, not a count it
 * claims. Without {@code JAZZER_FUZZ} it replays the inputs under {@code PollingPayloadFuzzTestInputs}.
 */
class PollingPayloadFuzzTest {
  static {
    // Loaded and linked before anything is measured.
    new PollingPayloadFuzzTest().bodiesAreHandledOrCloseTheSession(
        "40\u001e42[\"e\",1]\u001e451-[\"b\",{\"_placeholder\":true,\"num\":0}]\u001ebAQID"
            .getBytes(StandardCharsets.UTF_8));
  }

  @FuzzTest(maxDuration = "3m")
  void bodiesAreHandledOrCloseTheSession(byte[] input) {
    if (input.length > EngineIoFramesFuzzTest.MAX_INPUT) {
      return;
    }
    long limit = 4L * 1024 * 1024 + 256L * input.length;
    Run run = new Run(input);
    if (run.allocated >= limit) {
      // Classes loaded (and instrumented) for a path taken the first time count against this thread: again.
      run = new Run(input);
    }
    String shown = LogSafe.quote(new String(input, StandardCharsets.UTF_8));
    run.session.check(shown);
    DisconnectReason closed = run.session.closed();
    assertThat(run.open).as("posted's answer when closed with %s", closed)
        .isEqualTo(closed == null || closed == DisconnectReason.TRANSPORT_CLOSE);
    assertThat(run.elapsed).as("nanoseconds for %s", shown).isLessThan(EngineIoFramesFuzzTest.SLOW_NANOS);
    assertThat(run.allocated).as("bytes allocated for a body of %d bytes", input.length).isLessThan(limit);
  }

  /** The body posted to a new session, with the bytes allocated and the time taken. */
  private static final class Run {
    private final FuzzedSession session = new FuzzedSession();
    private final boolean open;
    private final long allocated;
    private final long elapsed;

    Run(byte[] input) {
      EngineIoPackets packets = new EngineIoPackets(new EngineIo(FuzzedSession.CONFIG, FuzzedSession.CONTEXT,
          FuzzedSession.CODEC, FuzzedSession.HEARTBEATS));
      PollingSession polling = new PollingSession(packets, FuzzedSession.CODEC, new ConcurrentHashMap<>());
      if (!polling.start(session)) {
        throw new AssertionError("the session did not start");
      }
      long started = System.nanoTime();
      long before = Allocations.current();
      open = polling.posted(new String(input, StandardCharsets.UTF_8));
      allocated = Allocations.current() - before;
      elapsed = System.nanoTime() - started;
      packets.stop();
    }
  }
}
