package dev.parley.internal;

import dev.parley.Reply;
import dev.parley.protocol.JsonArguments;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A client's acknowledgement. */
final class DefaultReply extends JsonArguments implements Reply {
  DefaultReply(List<JsonNode> args, JsonMapper mapper) {
    super(args, mapper);
  }

  @Override
  public String toString() {
    return "Reply" + args();
  }
}
