package dev.parley.transport.sse.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.parley.protocol.JsonDepth;
import dev.parley.protocol.sse.PostBody;
import dev.parley.testsupport.HostileBodies;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Properties of the SSE POST body decoder over random bytes, random JSON and mutations of valid bodies: it
 * returns an event or an answer, or throws {@link PostBody.BadPostException} (the servlet's 400), nothing
 * else; it never takes long; it allocates in proportion to the body; what it accepts can be sent on.
 */
class PostBodyPropertiesTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Duration BOUND = Duration.ofSeconds(5);
  private static final Method ALLOCATED = allocationCounter();
  private static final Object THREADS = threadBean();

  @Property
  void randomBytesDecodeOrAreABadPost(@ForAll("randomBytes") byte[] body) {
    decodeOrReject(body);
  }

  @Property
  void randomJsonObjectsDecodeOrAreABadPost(@ForAll("bodies") JsonNode body) {
    decodeOrReject(MAPPER.writeValueAsBytes(body));
  }

  @Property
  void mutatedBodiesDecodeOrAreABadPost(@ForAll("mutatedBodies") String body) {
    decodeOrReject(body.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 200)
  void nestingIsBoundedWhateverTheDepth(@ForAll @IntRange(min = 1, max = 5_000) int depth) {
    String body = "{\"event\":\"deep\",\"args\":[" + "[".repeat(depth) + "]".repeat(depth) + "]}";
    PostBody decoded = decodeOrReject(body.getBytes(StandardCharsets.UTF_8));
    assertThat(decoded != null).as("accepted at depth %d", depth + 2).isEqualTo(depth + 2 <= JsonDepth.MAX);
  }

  @Property(tries = 300)
  void allocationFollowsTheBody(@ForAll("mutatedBodies") String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    long before = allocatedBytes();
    try {
      PostBody.parse(MAPPER, body);
    } catch (PostBody.BadPostException expected) {
      // the defined answer
    }
    assertThat(allocatedBytes() - before).isLessThan(4L * 1024 * 1024 + 256L * body.length);
  }

  private @Nullable PostBody decodeOrReject(byte[] body) {
    return assertTimeoutPreemptively(BOUND, () -> {
      try {
        PostBody decoded = PostBody.parse(MAPPER, body);
        checkAccepted(decoded);
        return decoded;
      } catch (PostBody.BadPostException e) {
        assertThat(e.getMessage()).isNotBlank();
        return null;
      }
    });
  }

  private static void checkAccepted(PostBody decoded) {
    assertThat(decoded).isInstanceOfAny(PostBody.Emit.class, PostBody.Answer.class);
    if (decoded instanceof PostBody.Emit emit) {
      assertThat(emit.event()).isNotEmpty();
      // The server can pass it on, even wrapped by an application and by the SSE ack envelope.
      ArrayNode args = NODES.arrayNode();
      emit.args().forEach(args::add);
      ObjectNode wrapped = NODES.objectNode();
      wrapped.set("from", NODES.objectNode().set("args", args));
      MAPPER.writeValueAsString(NODES.objectNode().put("ackId", 1).set("args", NODES.arrayNode().add(wrapped)));
    }
  }

  // ---- generators ----

  @Provide
  Arbitrary<byte[]> randomBytes() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
        Arbitraries.strings().all().ofMaxLength(200).map(s -> s.getBytes(StandardCharsets.UTF_8)),
        Arbitraries.strings().withChars(HostileBodies.TRICKY).ofMaxLength(200).map(s -> ("{" + s).getBytes(StandardCharsets.UTF_8)));
  }

  /** Objects whose fields are the POST's own, each absent or any JSON value, plus a stray one. */
  @Provide
  Arbitrary<JsonNode> bodies() {
    Arbitrary<JsonNode> value = Arbitraries.oneOf(HostileBodies.json(2), Arbitraries.strings().ofMaxLength(10).map(NODES::stringNode));
    Arbitrary<JsonNode> field = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(NODES.missingNode())),
        Tuple.of(3, value));
    return Combinators.combine(field, field, field, field, field).as((event, args, ack, ackId, stray) -> {
      ObjectNode node = NODES.objectNode();
      String[] names = {"event", "args", "ack", "ackId", "x"};
      JsonNode[] values = {event, args, ack, ackId, stray};
      for (int i = 0; i < names.length; i++) {
        if (!values[i].isMissingNode()) {
          node.set(names[i], values[i]);
        }
      }
      return node;
    });
  }

  @Provide
  Arbitrary<String> mutatedBodies() {
    return HostileBodies.mutated();
  }

  /** HotSpot's per-thread allocation counter (com.sun.management), looked up reflectively. */
  private static Method allocationCounter() {
    try {
      return Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("needs a HotSpot JVM", e);
    }
  }

  private static Object threadBean() {
    try {
      // Reflectively, like the counter: the module under test does not read java.management.
      return Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Bytes this thread has allocated so far. */
  private static long allocatedBytes() {
    try {
      return (Long) ALLOCATED.invoke(THREADS);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
