package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fuzzes the nesting check that runs on every client's JSON before it is parsed ({@link JsonDepth}), with any
 * bytes: it never throws, reads bytes and their UTF-8 text alike, agrees with Jackson's tree on every text
 * Jackson parses, allocates nothing over text and one copy over bytes, and is quick (a call over 5 s is a
 * finding). Without {@code JAZZER_FUZZ} it replays the inputs under {@code JsonDepthFuzzTestInputs}.
 */
class JsonDepthFuzzTest {
  /** Longer inputs are skipped: the check is linear, and short ones reach every branch. */
  private static final int MAX_INPUT = 8 * 1024;
  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private static final long SLOW_NANOS = 5_000_000_000L;
  private static final Object THREADS = threadBean();
  private static final MethodHandle ALLOCATED = allocationCounter();

  static {
    // Loaded and linked before anything is measured.
    JsonDepth.exceeds("[\"\\\"\"]", 1);
    JsonDepth.exceeds(new byte[] {'[', ']'}, 1);
    allocatedBytes();
    allocatedBytes();
  }

  @FuzzTest(maxDuration = "3m")
  void agreesWithTheParsedTree(byte[] input) {
    if (input.length > MAX_INPUT) {
      return;
    }
    String text = new String(input, StandardCharsets.UTF_8);
    long started = System.nanoTime();
    long before = allocatedBytes();
    boolean overText = JsonDepth.exceeds(text, JsonDepth.MAX);
    long afterText = allocatedBytes();
    boolean overBytes = JsonDepth.exceeds(input, JsonDepth.MAX);
    long afterBytes = allocatedBytes();
    long elapsed = System.nanoTime() - started;
    long textLimit = 16 * 1024;
    long bytesLimit = 16 * 1024 + 2L * input.length;
    if (afterText - before >= textLimit || afterBytes - afterText >= bytesLimit) {
      // Classes loaded (and instrumented) for a path taken the first time count against this thread: again.
      before = allocatedBytes();
      JsonDepth.exceeds(text, JsonDepth.MAX);
      afterText = allocatedBytes();
      JsonDepth.exceeds(input, JsonDepth.MAX);
      afterBytes = allocatedBytes();
    }
    assertThat(elapsed).as("nanoseconds to scan %d bytes", input.length).isLessThan(SLOW_NANOS);
    // Text: no allocation (slack for what the JVM may do on this thread meanwhile).
    assertThat(afterText - before).as("bytes allocated scanning %d chars", text.length()).isLessThan(textLimit);
    // Bytes: one Latin-1 copy.
    assertThat(afterBytes - afterText).as("bytes allocated scanning %d bytes", input.length).isLessThan(bytesLimit);
    // The structural characters are ASCII and UTF-8 decoding never swallows one: both readings agree.
    assertThat(overBytes).as("bytes and text disagree").isEqualTo(overText);

    JsonNode tree;
    try {
      tree = MAPPER.readTree(text);
    } catch (JacksonException notJson) {
      return;
    }
    if (tree == null || tree.isMissingNode()) {
      return;
    }
    int depth = depth(tree);
    for (int max = Math.max(0, depth - 2); max <= depth + 2; max++) {
      assertThat(JsonDepth.exceeds(text, max)).as("depth %d, max %d", depth, max).isEqualTo(depth > max);
    }
  }

  private static int depth(JsonNode node) {
    int deepest = 0;
    for (JsonNode child : node.values()) {
      deepest = Math.max(deepest, depth(child));
    }
    return node.isContainer() ? deepest + 1 : 0;
  }

  /** HotSpot's per-thread allocation counter (com.sun.management), through a handle: no boxing, no accessor. */
  private static MethodHandle allocationCounter() {
    try {
      return MethodHandles.publicLookup().findVirtual(Class.forName("com.sun.management.ThreadMXBean"),
          "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
          .asType(MethodType.methodType(long.class, Object.class));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("needs a HotSpot JVM", e);
    }
  }

  private static Object threadBean() {
    try {
      // Reflectively: the module under test does not read java.management.
      return Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Bytes this thread has allocated so far. */
  private static long allocatedBytes() {
    try {
      return (long) ALLOCATED.invokeExact(THREADS);
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
