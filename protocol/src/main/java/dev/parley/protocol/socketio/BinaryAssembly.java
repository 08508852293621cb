package dev.parley.protocol.socketio;

import dev.parley.protocol.Packet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A BINARY_EVENT or BINARY_ACK whose text has arrived and whose binary frames are being collected. Its
 * placeholders were checked when the text was decoded: one for each attachment, each used once. Made by
 * {@link SocketIoCodec} (inside {@link Decoded.AwaitingAttachments}) on either end of a connection. Not
 * thread-safe: a connection feeds it its binary frames one at a time, in order.
 */
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

  /**
   * The binary frames announced.
   *
   * @return the attachment count the text announced, 1..{@value SocketIoCodec#MAX_ATTACHMENTS}
   */
  public int expected() {
    return expected;
  }

  /**
   * Adds the next binary frame.
   *
   * @param attachment the frame's bytes, kept (not copied)
   * @return the packet, its placeholders replaced by the bytes, once the last frame has arrived; else null
   * @throws ProtocolException if every announced frame has already arrived
   */
  public @Nullable Packet add(byte[] attachment) {
    if (received.size() >= expected) {
      throw new ProtocolException("more binary frames than the " + expected + " announced");
    }
    received.add(attachment);
    if (received.size() < expected) {
      return null;
    }
    // The tree was parsed for this packet alone: the placeholders are replaced where they are, not copied.
    fill(payload);
    return event ? codec.event(namespace, payload, id)
        : new Packet.Ack(namespace, id, SocketIoCodec.list(payload, 0));
  }

  // The attachment a placeholder stands for, or null if the node is not one.
  private @Nullable JsonNode attachment(JsonNode node) {
    if (!SocketIoCodec.isPlaceholder(node)) {
      return null;
    }
    JsonNode num = node.get("num");
    if (num == null || !num.isInt() || num.intValue() < 0 || num.intValue() >= received.size()) {
      throw new ProtocolException("placeholder refers to a missing attachment: " + num);
    }
    return JsonNodeFactory.instance.binaryNode(received.get(num.intValue()));
  }

  private void fill(JsonNode node) {
    if (node instanceof ArrayNode array) {
      for (int k = 0; k < array.size(); k++) {
        JsonNode bytes = attachment(array.get(k));
        if (bytes != null) {
          array.set(k, bytes);
        } else {
          fill(array.get(k));
        }
      }
    } else if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        JsonNode bytes = attachment(field.getValue());
        if (bytes != null) {
          object.set(field.getKey(), bytes);
        } else {
          fill(field.getValue());
        }
      }
    }
  }
}
