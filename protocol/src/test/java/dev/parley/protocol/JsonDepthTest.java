package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonDepthTest {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  @Property(tries = 200)
  void agreesWithTheParsedTreeOnTextAndBytes(@ForAll("nested") String json) {
    int depth = depth(MAPPER.readTree(json));
    for (int max = Math.max(0, depth - 2); max <= depth + 2; max++) {
      assertThat(JsonDepth.exceeds(json, max)).as("depth %d, max %d: %s", depth, max, json).isEqualTo(depth > max);
      assertThat(JsonDepth.exceeds(json.getBytes(StandardCharsets.UTF_8), max)).isEqualTo(depth > max);
    }
  }

  @Test
  void bracketsInsideStringsAndEscapedQuotesDoNotCount() {
    assertThat(JsonDepth.exceeds("[\"[[[[\\\"[[[[\"]", 1)).isFalse();
    assertThat(JsonDepth.exceeds("[\"\\\\\",[[]]]", 2)).isTrue();
    assertThat(JsonDepth.exceeds("{\"a\":{\"b\":[\"é[\"]}}", 3)).isFalse();
    assertThat(JsonDepth.exceeds("[".repeat(65), JsonDepth.MAX)).isTrue();
    assertThat(JsonDepth.exceeds("[".repeat(64), JsonDepth.MAX)).isFalse();
  }

  @Provide
  Arbitrary<String> nested() {
    Arbitrary<String> leaf = Arbitraries.oneOf(Arbitraries.of("1", "null", "true", "\"x\""),
        Arbitraries.strings().withChars("[]{}\"\\ab").ofMaxLength(6).map(s -> MAPPER.writeValueAsString(s)));
    return Arbitraries.recursive(() -> leaf, inner -> Arbitraries.oneOf(
        inner.list().ofMaxSize(3).map(items -> "[" + String.join(",", items) + "]"),
        inner.map(item -> "{\"k\":" + item + "}")), 0, 6);
  }

  private static int depth(JsonNode node) {
    int deepest = 0;
    for (JsonNode child : node.values()) {
      deepest = Math.max(deepest, depth(child));
    }
    return node.isContainer() ? deepest + 1 : 0;
  }
}
