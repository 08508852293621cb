package dev.parley.protocol.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class PostBodyTest {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private static PostBody parse(String body) {
    return PostBody.parse(MAPPER, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decodesEventsAndAnswers() {
    assertThat(parse("{\"event\":\"chat\",\"args\":[1,\"x\"],\"ack\":true}"))
        .isEqualTo(new PostBody.Emit("chat", java.util.List.of(MAPPER.readTree("1"), MAPPER.readTree("\"x\"")), true));
    assertThat(parse("{\"event\":\"chat\"}")).isEqualTo(new PostBody.Emit("chat", java.util.List.of(), false));
    assertThat(parse("{\"ackId\":7,\"args\":[]}")).isEqualTo(new PostBody.Answer(7, java.util.List.of()));
  }

  @Test
  void bodyNestedDeeperThanTheBoundIsABadPost() {
    // Jackson alone accepts 500 levels, and the ack envelope {"ackId", "args": [...]} around such an argument
    // could then not be written to an SSE stream.
    assertThat(parse("{\"event\":\"e\",\"args\":[" + "[".repeat(62) + "]".repeat(62) + "]}"))
        .isInstanceOf(PostBody.Emit.class);
    assertThatThrownBy(() -> parse("{\"event\":\"e\",\"args\":[" + "[".repeat(63) + "]".repeat(63) + "]}"))
        .isInstanceOf(PostBody.BadPostException.class).hasMessage("JSON nested deeper than 64 levels");
    assertThatThrownBy(() -> parse("{\"event\":\"e\",\"args\":[" + "[".repeat(497) + "]".repeat(497) + "]}"))
        .isInstanceOf(PostBody.BadPostException.class);
  }

  @Test
  void ackIdMustBeAnIntegerThatFitsALong() {
    for (String ackId : new String[] {"\"1\"", "1.5", "1e3", "9223372036854775808", "null", "[1]"}) {
      assertThatThrownBy(() -> parse("{\"ackId\":" + ackId + ",\"args\":[]}")).as(ackId)
          .isInstanceOf(PostBody.BadPostException.class).hasMessage("\"ackId\" must be an integer");
    }
  }

  @Test
  void everythingElseThatIsNotAPostIsABadPost() {
    for (String body : new String[] {"", "null", "[]", "\"event\"", "{\"event\":\"\"}", "{\"event\":7}",
        "{\"args\":[1]}", "{\"event\":\"e\",\"args\":{}}", "{\"event\":\"e\"} trailing", "\u00ff\u00fe"}) {
      assertThatThrownBy(() -> parse(body)).as(body).isInstanceOf(PostBody.BadPostException.class)
          .hasMessageFindingMatch(".+");
    }
  }
}
