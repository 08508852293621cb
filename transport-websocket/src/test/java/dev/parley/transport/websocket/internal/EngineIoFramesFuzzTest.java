package dev.parley.transport.websocket.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.parley.protocol.LogSafe;
import dev.parley.testsupport.Allocations;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzzes what a WebSocket's frames go through on the server ({@link EngineIoPackets}: Engine.IO's packet types,
 * then the Socket.IO codec's header, cost and decode, then binary attachments), with any sequence of text and
 * binary frames. Whatever they are, the session either goes on or closes for a reason of the client's making
 * (PARSE_ERROR is close 1002, the codec's {@code ProtocolException}), never for a server error (1011: any other
 * exception, an overflow of the stack or the heap); a call takes well under 5 s; the bytes allocated follow the
 * input's length, not a count it claims; what is handed to the engine can be sent on.
 *
 * <p>An input is frames separated by the byte {@code 0xFF} (never in UTF-8); a frame whose first byte is
 * {@code 0xFE} is a binary frame of the bytes after it, any other a text frame, decoded as UTF-8 as a WebSocket
 * text frame is. Without {@code JAZZER_FUZZ} it replays the inputs under {@code EngineIoFramesFuzzTestInputs}.
 */
class EngineIoFramesFuzzTest {
  /** Longer inputs are skipped: a few KiB reach every branch, and keep each run quick. */
  static final int MAX_INPUT = 8 * 1024;
  static final long SLOW_NANOS = 5_000_000_000L;
  private static final byte SEPARATOR = (byte) 0xFF;
  private static final byte BINARY = (byte) 0xFE;

  static {
    // Loaded and linked before anything is measured.
    new EngineIoFramesFuzzTest().framesAreHandledOrClosedForTheClient(
        "40\u00ff451-[\"b\",{\"_placeholder\":true,\"num\":0}]\u00ff\u00fe\u0001\u00ff2probe"
            .getBytes(StandardCharsets.ISO_8859_1));
  }

  @FuzzTest(maxDuration = "3m")
  void framesAreHandledOrClosedForTheClient(byte[] input) {
    if (input.length > MAX_INPUT) {
      return;
    }
    long limit = 4L * 1024 * 1024 + 256L * input.length;
    Run run = new Run(input);
    if (run.allocated >= limit) {
      // Classes loaded (and instrumented) for a path taken the first time count against this thread: again.
      run = new Run(input);
    }
    String shown = LogSafe.quote(new String(input, StandardCharsets.ISO_8859_1));
    run.session.check(shown);
    assertThat(run.elapsed).as("nanoseconds for %s", shown).isLessThan(SLOW_NANOS);
    assertThat(run.allocated).as("bytes allocated for %d bytes of frames", input.length).isLessThan(limit);
  }

  /** The frames fed to a new session, with the bytes allocated and the time taken. */
  private static final class Run {
    private final FuzzedSession session = new FuzzedSession();
    private final long allocated;
    private final long elapsed;

    Run(byte[] input) {
      EngineIoPackets packets = new EngineIoPackets(new EngineIo(FuzzedSession.CONFIG, FuzzedSession.CONTEXT,
          FuzzedSession.CODEC, FuzzedSession.HEARTBEATS));
      packets.start(session, session);
      long started = System.nanoTime();
      long before = Allocations.current();
      int from = 0;
      while (from <= input.length) {
        int end = from;
        while (end < input.length && input[end] != SEPARATOR) {
          end++;
        }
        if (end > from && input[from] == BINARY) {
          packets.onBinary(ByteBuffer.wrap(Arrays.copyOfRange(input, from + 1, end)));
        } else {
          packets.onText(new String(input, from, end - from, StandardCharsets.UTF_8));
        }
        from = end + 1;
      }
      allocated = Allocations.current() - before;
      elapsed = System.nanoTime() - started;
      packets.stop();
    }
  }
}
