package dev.parley.internal;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/** Converts application values to JSON trees, once per emit. */
final class Json {
  private Json() {
  }

  static List<JsonNode> args(JsonMapper mapper, String event, Object[] args) {
    java.util.Objects.requireNonNull(args, "args");
    List<JsonNode> out = new ArrayList<>(args.length);
    for (int i = 0; i < args.length; i++) {
      out.add(node(mapper, event, i, args[i]));
    }
    return out;
  }

  static JsonNode node(JsonMapper mapper, String event, int index, Object value) {
    if (value == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    if (value instanceof JsonNode node) {
      return node;
    }
    if (value instanceof byte[] bytes) {
      return JsonNodeFactory.instance.binaryNode(bytes.clone());
    }
    try {
      return mapper.valueToTree(value);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("argument " + index + " of event " + Names.quote(event)
          + " cannot be serialised to JSON (" + value.getClass().getName() + "): "
          + e.getOriginalMessage(), e);
    }
  }
}
