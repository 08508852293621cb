package dev.parley.transport.sse.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.parley.protocol.JsonDepth;
import dev.parley.protocol.LogSafe;
import dev.parley.protocol.sse.PostBody;
import dev.parley.testsupport.Allocations;
import dev.parley.testsupport.HostileBodies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The SSE POST body decoder over hand-made hostile bodies (bytes that are not UTF-8, objects with the POST's
 * fields of every type, valid bodies cut, spliced, deepened, given huge numbers and duplicate keys): it returns
 * an event or an answer, or throws {@link PostBody.BadPostException} (the servlet's 400), nothing else; it never
 * takes long; it allocates in proportion to the body; what it accepts can be sent on. The fuzz test
 * ({@link PostBodyFuzzTest}) starts from such bodies and goes on from there.
 */
class PostBodyHostileTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Duration BOUND = Duration.ofSeconds(5);

  @Test
  void oddBytesDecodeOrAreABadPost() {
    List<byte[]> bodies = new ArrayList<>(List.of(new byte[0], new byte[] {(byte) 0xff, (byte) 0xfe},
        new byte[] {'{', (byte) 0xc3, '}'}, new byte[] {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'},
        new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'}, new byte[] {0, 0, 0, '{'}, new byte[300]));
    String tricky = HostileBodies.TRICKY;
    for (int k = 0; k < tricky.length(); k++) {
      bodies.add(("{" + tricky.substring(k) + tricky.substring(0, k)).getBytes(StandardCharsets.UTF_8));
      bodies.add(tricky.substring(0, k).getBytes(StandardCharsets.UTF_16));
    }
    bodies.forEach(this::decodeOrReject);
  }

  @Test
  void objectsWithFieldsOfEveryTypeDecodeOrAreABadPost() {
    List<JsonNode> values = List.of(NODES.stringNode("e"), NODES.stringNode(""), NODES.numberNode(1),
        NODES.numberNode(-1L), NODES.numberNode(1.5), NODES.numberNode(new java.math.BigInteger("9".repeat(30))),
        NODES.booleanNode(true), NODES.nullNode(), NODES.arrayNode(), NODES.arrayNode().add(1).add("x"),
        NODES.objectNode(), NODES.objectNode().put("_placeholder", true).put("num", 0));
    String[] names = {"event", "args", "ack", "ackId", "x"};
    for (int k = 0; k < values.size() * names.length; k++) {
      ObjectNode body = NODES.objectNode();
      // Each field present or absent, with a value that moves on with k: every field meets every value.
      for (int f = 0; f < names.length; f++) {
        if (((k >> f) & 1) == 0 || f == k % names.length) {
          body.set(names[f], values.get((k + 3 * f) % values.size()));
        }
      }
      decodeOrReject(MAPPER.writeValueAsBytes(body));
    }
  }

  @Test
  void mutatedBodiesDecodeOrAreABadPost() {
    for (String body : HostileBodies.mutated()) {
      decodeOrReject(body.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void nestingIsBoundedWhateverTheDepth() {
    for (int depth : new int[] {1, 61, 62, 63, 64, 100, 1_000, 5_000}) {
      String body = "{\"event\":\"deep\",\"args\":[" + "[".repeat(depth) + "]".repeat(depth) + "]}";
      PostBody decoded = decodeOrReject(body.getBytes(StandardCharsets.UTF_8));
      assertThat(decoded != null).as("accepted at depth %d", depth + 2).isEqualTo(depth + 2 <= JsonDepth.MAX);
    }
  }

  @Test
  void allocationFollowsTheBody() {
    for (String text : HostileBodies.mutated()) {
      byte[] body = text.getBytes(StandardCharsets.UTF_8);
      long before = Allocations.current();
      try {
        PostBody.parse(MAPPER, body);
      } catch (PostBody.BadPostException expected) {
        // the defined answer
      }
      assertThat(Allocations.current() - before).as("bytes allocated for %s", LogSafe.quote(text))
          .isLessThan(4L * 1024 * 1024 + 256L * body.length);
    }
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

  /** What was accepted is an event or an answer, and the server can pass it on, even wrapped twice. */
  static void checkAccepted(PostBody decoded) {
    assertThat(decoded).isInstanceOfAny(PostBody.Emit.class, PostBody.Answer.class);
    if (decoded instanceof PostBody.Emit emit) {
      assertThat(emit.event()).isNotEmpty();
      ArrayNode args = NODES.arrayNode();
      emit.args().forEach(args::add);
      ObjectNode wrapped = NODES.objectNode();
      wrapped.set("from", NODES.objectNode().set("args", args));
      MAPPER.writeValueAsString(NODES.objectNode().put("ackId", 1).set("args", NODES.arrayNode().add(wrapped)));
    }
  }
}
