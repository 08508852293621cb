package dev.parley.internal;

import dev.parley.Reply;
import dev.parley.protocol.JsonArguments;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A client's acknowledgement. Everything but its {@code toString()} name is {@link JsonArguments}'. */
final class DefaultReply extends JsonArguments implements Reply {
  private final String from;

  DefaultReply(String from, List<JsonNode> args, JsonMapper mapper) {
    super("Reply", args, mapper);
    this.from = from;
  }

  @Override
  public String from() {
    return from;
  }
}
