package dev.parley.protocol.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.protocol.Packet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

class SseDataTest {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static JsonNode json(String text) {
    return MAPPER.readTree(text);
  }

  /** The data text as the encoder writes it. */
  private static String wire(List<JsonNode> args, @Nullable Long ackId) {
    return MAPPER.writeValueAsString(SseData.encode(args, ackId));
  }

  /** Encodes, writes as text, parses and decodes: what the Java client gets. */
  private static SseData.Decoded roundTrip(List<JsonNode> args, @Nullable Long ackId) {
    return SseData.decode(json(wire(args, ackId)));
  }

  @Test
  void oneArgumentWithoutAckIsTheBareArgument() {
    for (String arg : new String[] {"{\"text\":\"hi\"}", "[1,2]", "\"s\"", "42", "null", "{}", "[]", "true"}) {
      assertThat(wire(List.of(json(arg)), null)).as(arg).isEqualTo(arg);
      assertThat(roundTrip(List.of(json(arg)), null)).as(arg).isEqualTo(new SseData.Decoded(List.of(json(arg)), null));
    }
  }

  @Test
  void twoArgumentsAndOneArrayArgumentDiffer() {
    String two = wire(List.of(json("1"), json("2")), null);
    String array = wire(List.of(json("[1,2]")), null);
    assertThat(two).isEqualTo("{\"parley:args\":[1,2]}");
    assertThat(array).isEqualTo("[1,2]");
    assertThat(SseData.decode(json(two)).args()).containsExactly(json("1"), json("2"));
    assertThat(SseData.decode(json(array)).args()).containsExactly(json("[1,2]"));
  }

  @Test
  void theOldAckShapeIsAPlainArgument() {
    JsonNode payload = json("{\"ackId\":5,\"args\":[]}");
    assertThat(wire(List.of(payload), null)).isEqualTo("{\"ackId\":5,\"args\":[]}");
    assertThat(roundTrip(List.of(payload), null)).isEqualTo(new SseData.Decoded(List.of(payload), null));
  }

  @Test
  void anArgumentWithTheEnvelopeKeyIsWrapped() {
    for (String arg : new String[] {"{\"parley:args\":[1]}", "{\"parley:args\":7,\"parley:ackId\":1}",
        "{\"parley:args\":[],\"x\":null}"}) {
      JsonNode payload = json(arg);
      assertThat(json(wire(List.of(payload), null))).as(arg).isEqualTo(NODES.objectNode().set("parley:args",
          NODES.arrayNode().add(payload)));
      assertThat(roundTrip(List.of(payload), null)).as(arg).isEqualTo(new SseData.Decoded(List.of(payload), null));
    }
    // Only the key counts: a payload with just "parley:ackId" is bare.
    assertThat(wire(List.of(json("{\"parley:ackId\":1}")), null)).isEqualTo("{\"parley:ackId\":1}");
  }

  @Test
  void anAckRequestCarriesItsId() {
    assertThat(wire(List.of(json("\"q\"")), 9L)).isEqualTo("{\"parley:args\":[\"q\"],\"parley:ackId\":9}");
    assertThat(roundTrip(List.of(json("\"q\"")), 9L)).isEqualTo(new SseData.Decoded(List.of(json("\"q\"")), 9L));
    assertThat(roundTrip(List.of(), 0L)).isEqualTo(new SseData.Decoded(List.of(), 0L));
    assertThat(roundTrip(List.of(json("1"), json("2")), Long.MAX_VALUE))
        .isEqualTo(new SseData.Decoded(List.of(json("1"), json("2")), Long.MAX_VALUE));
  }

  @Test
  void zeroArgumentsAreAnEmptyEnvelope() {
    assertThat(wire(List.of(), null)).isEqualTo("{\"parley:args\":[]}");
    assertThat(roundTrip(List.of(), null)).isEqualTo(new SseData.Decoded(List.of(), null));
  }

  @Test
  void encoderWritesTheSameData() {
    SseEncoder encoder = new SseEncoder(MAPPER);
    String two = new String(encoder.encode(new Packet.Event("/", "e", List.of(json("1"), json("2")), null, null)),
        StandardCharsets.UTF_8);
    String one = new String(encoder.encode(new Packet.Event("/", "e", List.of(json("[1,2]")), null, null)),
        StandardCharsets.UTF_8);
    String ask = new String(encoder.encode(new Packet.Event("/", "e", List.of(), 3L, null)), StandardCharsets.UTF_8);
    assertThat(two).isEqualTo("event: e\ndata: {\"parley:args\":[1,2]}\n\n");
    assertThat(one).isEqualTo("event: e\ndata: [1,2]\n\n");
    assertThat(ask).isEqualTo("event: e\ndata: {\"parley:args\":[],\"parley:ackId\":3}\n\n");
  }

  @Test
  void aMalformedEnvelopeIsRejected() {
    for (String data : new String[] {"{\"parley:args\":7}", "{\"parley:args\":null}", "{\"parley:args\":{}}",
        "{\"parley:args\":\"[]\"}"}) {
      assertThatThrownBy(() -> SseData.decode(json(data))).as(data).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"parley:args\" must be an array");
    }
    for (String ackId : new String[] {"-1", "1.5", "1e3", "\"1\"", "null", "[1]", "9223372036854775808"}) {
      String data = "{\"parley:args\":[],\"parley:ackId\":" + ackId + "}";
      assertThatThrownBy(() -> SseData.decode(json(data))).as(data).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("\"parley:ackId\" must be an integer");
    }
    assertThatThrownBy(() -> SseData.encode(List.of(), -1L)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decodeUndoesEncode() {
    for (List<JsonNode> args : argLists()) {
      for (Long ackId : new Long[] {null, 0L, 1L, Long.MAX_VALUE}) {
        // Compared as parsed text, the way the client reads it (a parsed 1 is an IntNode, not a LongNode made).
        List<JsonNode> expected = new ArrayList<>();
        args.forEach(arg -> expected.add(json(MAPPER.writeValueAsString(arg))));
        assertThat(roundTrip(args, ackId)).as("%s, ack id %s", args, ackId)
            .isEqualTo(new SseData.Decoded(expected, ackId));
      }
    }
  }

  /** Argument lists of zero to three values, whose object keys are often the envelope's own or the old shape's. */
  private static List<List<JsonNode>> argLists() {
    List<JsonNode> values = new ArrayList<>();
    for (String text : new String[] {"null", "true", "-9223372036854775808", "\"\"", "\"parley:args\"", "[]", "{}",
        "[[],{}]", "{\"parley:args\":[]}", "{\"parley:args\":[1],\"parley:ackId\":2}", "{\"parley:ackId\":1}",
        "{\"ackId\":5,\"args\":[]}", "{\"args\":{\"parley:args\":null}}", "[{\"parley:args\":[[]]}]",
        "{\"parley:args\":7,\"x\":{\"parley:ackId\":-1}}"}) {
      values.add(json(text));
    }
    values.add(NODES.numberNode(1L));
    List<List<JsonNode>> out = new ArrayList<>();
    out.add(List.of());
    for (int k = 0; k < values.size(); k++) {
      out.add(List.of(values.get(k)));
      out.add(List.of(values.get(k), values.get((k + 1) % values.size())));
      out.add(List.of(values.get((k + 5) % values.size()), values.get(k), values.get((k + 9) % values.size())));
    }
    return out;
  }
}
