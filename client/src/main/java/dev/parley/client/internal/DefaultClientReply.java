package dev.parley.client.internal;

import dev.parley.client.ClientReply;
import dev.parley.protocol.JsonArguments;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The server's answer to an emitWithAck. Everything but its {@code toString()} name is {@link JsonArguments}'. */
final class DefaultClientReply extends JsonArguments implements ClientReply {
  DefaultClientReply(List<JsonNode> args, JsonMapper mapper) {
    super("ClientReply", args, mapper);
  }
}
