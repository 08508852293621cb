package dev.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonCostTest {

  @Test
  void emptyObjectsCostFarMoreThanTheirText() {
    String json = "[" + "{},".repeat(10_000) + "{}]";

    // About thirty times its text once parsed (an ObjectNode and its map per "{},"): the estimate says more.
    assertThat(JsonCost.of(json)).isGreaterThan(30L * json.length());
  }

  @Test
  void aLongStringCostsAboutTwiceItsLength() {
    String json = "[\"" + "a".repeat(100_000) + "\"]";

    assertThat(JsonCost.of(json)).isBetween(200_000L, 200_000L + 2 * JsonCost.CONTAINER);
  }

  @Test
  void bracketsAndSeparatorsInsideStringsCostNothingExtra() {
    String inside = "[\"{[,:]}\\\"{,\"]";
    String plain = "[\"abcdef\\\"hi\"]";

    assertThat(inside).hasSameSizeAs(plain);
    assertThat(JsonCost.of(inside)).isEqualTo(JsonCost.of(plain));
  }

  @Test
  void utf8BytesCostWhatTheirTextCostsPerByte() {
    String json = "{\"name\":\"Zoë\",\"rooms\":[\"a\",\"b\"]}";
    byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);

    assertThat(JsonCost.of(utf8)).isEqualTo(JsonCost.of(json) + 2);
  }
}
