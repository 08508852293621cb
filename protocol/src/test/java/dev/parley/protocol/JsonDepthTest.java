package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonDepthTest {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  @Test
  void agreesWithTheParsedTreeOnTextAndBytes() {
    for (String json : nested()) {
      int depth = depth(MAPPER.readTree(json));
      for (int max = Math.max(0, depth - 2); max <= depth + 2; max++) {
        assertThat(JsonDepth.exceeds(json, max)).as("depth %d, max %d: %s", depth, max, json).isEqualTo(depth > max);
        assertThat(JsonDepth.exceeds(json.getBytes(StandardCharsets.UTF_8), max)).isEqualTo(depth > max);
      }
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

  /** Leaves of every kind (strings holding brackets, quotes and escapes), nested in arrays and objects 0 to 6 deep. */
  private static List<String> nested() {
    List<String> leaves = List.of("1", "null", "true", "\"x\"", MAPPER.writeValueAsString("[{\"\\"),
        MAPPER.writeValueAsString("a]}\\\""), "\"\"", "\"\\\\\"");
    List<String> out = new ArrayList<>(leaves);
    List<String> level = leaves;
    for (int depth = 1; depth <= 6; depth++) {
      List<String> next = new ArrayList<>();
      for (int k = 0; k < level.size(); k++) {
        String inner = level.get(k);
        next.add(switch ((k + depth) % 4) {
          case 0 -> "[" + inner + "]";
          case 1 -> "{\"k\":" + inner + "}";
          case 2 -> "[" + inner + "," + leaves.get(k % leaves.size()) + ",[]]";
          default -> "{\"a\":[],\"k\":[" + inner + "]}";
        });
      }
      out.addAll(next);
      level = next;
    }
    out.add("[]");
    out.add("{}");
    return out;
  }

  private static int depth(JsonNode node) {
    int deepest = 0;
    for (JsonNode child : node.values()) {
      deepest = Math.max(deepest, depth(child));
    }
    return node.isContainer() ? deepest + 1 : 0;
  }
}
