package dev.parley.transport.websocket.internal;

import dev.parley.spi.Packet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** A BINARY_EVENT or BINARY_ACK whose text has arrived and whose binary frames are being collected. */
public final class BinaryAssembly {
  private final SocketIoCodec codec;
  private final String namespace;
  private final @Nullable Long id;
  private final ArrayNode payload;
  private final int expected;
  private final boolean event;
  private final List<byte[]> received = new ArrayList<>();

  BinaryAssembly(SocketIoCodec codec, String namespace, @Nullable Long id, ArrayNode payload, int expected,
                 boolean event) {
    this.codec = codec;
    this.namespace = namespace;
    this.id = id;
    this.payload = payload;
    this.expected = expected;
    this.event = event;
  }

  /** Adds the next binary frame; returns the packet once the last one has arrived, else null. */
  public @Nullable Packet add(byte[] attachment) {
    received.add(attachment);
    if (received.size() < expected) {
      return null;
    }
    ArrayNode filled = (ArrayNode) fill(payload);
    return event ? codec.event(namespace, filled, id)
        : new Packet.Ack(namespace, id, SocketIoCodec.list(filled, 0));
  }

  private JsonNode fill(JsonNode node) {
    if (node.isObject()) {
      JsonNode marker = node.get("_placeholder");
      if (marker != null && marker.asBoolean(false) && node.has("num")) {
        JsonNode num = node.get("num");
        if (!num.isInt() || num.asInt() < 0 || num.asInt() >= received.size()) {
          throw new ProtocolException("placeholder refers to a missing attachment: " + num);
        }
        return JsonNodeFactory.instance.binaryNode(received.get(num.asInt()));
      }
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        copy.set(field.getKey(), fill(field.getValue()));
      }
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode(node.size());
      for (JsonNode child : node.values()) {
        copy.add(fill(child));
      }
      return copy;
    }
    return node;
  }
}
