package dev.parley.client.internal;

import dev.parley.Arguments;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Argument access shared by events and replies. */
abstract class ClientArguments implements Arguments {
  private final List<JsonNode> args;
  private final JsonMapper mapper;

  ClientArguments(List<JsonNode> args, JsonMapper mapper) {
    this.args = List.copyOf(args);
    this.mapper = mapper;
  }

  @Override
  public List<JsonNode> args() {
    return args;
  }

  @Override
  public JsonNode arg(int index) {
    if (index < 0 || index >= args.size()) {
      throw new IllegalArgumentException("no argument " + index + ": there are " + args.size());
    }
    return args.get(index);
  }

  @Override
  public <T> T arg(int index, Class<T> type) {
    JsonNode node = arg(index);
    try {
      T value = mapper.treeToValue(node, type);
      if (value == null) {
        throw new IllegalArgumentException("argument " + index + " is null, not a " + type.getSimpleName());
      }
      return value;
    } catch (JacksonException e) {
      throw new IllegalArgumentException("argument " + index + " is not a " + type.getSimpleName() + ": "
          + e.getOriginalMessage(), e);
    }
  }

  @Override
  public byte[] bytes(int index) {
    JsonNode node = arg(index);
    if (!node.isBinary()) {
      throw new IllegalArgumentException("argument " + index + " is not binary but " + node.getNodeType());
    }
    return node.binaryValue();
  }
}
