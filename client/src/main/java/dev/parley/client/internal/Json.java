package dev.parley.client.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/** Turns the application's arguments into JSON trees; byte arrays become binary nodes. */
final class Json {
  private Json() {
  }

  static List<JsonNode> args(JsonMapper mapper, String event, @Nullable Object[] args) {
    Objects.requireNonNull(args, "args");
    List<JsonNode> out = new ArrayList<>(args.length);
    for (int i = 0; i < args.length; i++) {
      out.add(node(mapper, event, i, args[i]));
    }
    return out;
  }

  private static JsonNode node(JsonMapper mapper, String event, int index, @Nullable Object value) {
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
      throw new IllegalArgumentException("argument " + index + " of event " + ClientSettings.quote(event)
          + " cannot be serialised to JSON (" + value.getClass().getName() + "): " + e.getOriginalMessage(), e);
    }
  }
}
