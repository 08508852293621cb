package dev.parley.transport.websocket.internal;

import dev.parley.internal.JsonDepth;
import dev.parley.spi.Packet;
import dev.parley.spi.PacketEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Socket.IO protocol v5 packets inside Engine.IO v4 message packets ({@code "4"} + Socket.IO text), with
 * binary arguments as placeholder objects in the text and the bytes in binary frames that follow.
 * Thread-safe; one instance per transport, since {@link dev.parley.spi.Outgoing} caches encodings by
 * encoder identity.
 */
public final class SocketIoCodec implements PacketEncoder<WireFrame> {
  /** The most binary attachments one packet may announce. */
  public static final int MAX_ATTACHMENTS = 64;

  private static final int CONNECT = 0;
  private static final int DISCONNECT = 1;
  private static final int EVENT = 2;
  private static final int ACK = 3;
  private static final int CONNECT_ERROR = 4;
  private static final int BINARY_EVENT = 5;
  private static final int BINARY_ACK = 6;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final JsonMapper mapper;

  public SocketIoCodec(JsonMapper mapper) {
    this.mapper = mapper;
  }

  // ---- encoding ----

  @Override
  public WireFrame encode(Packet packet) {
    if (packet instanceof Packet.Control control) {
      // An Engine.IO frame of its own (a pong): sent as it is.
      return new WireFrame(control.frame(), List.of());
    }
    StringBuilder text = new StringBuilder(64).append('4');
    List<byte[]> attachments = List.of();
    if (packet instanceof Packet.Connect connect) {
      text.append(CONNECT);
      namespace(text, connect.namespace());
      if (connect.data() != null) {
        text.append(write(connect.data()));
      }
    } else if (packet instanceof Packet.ConnectError error) {
      text.append(CONNECT_ERROR);
      namespace(text, error.namespace());
      ObjectNode body = NODES.objectNode().put("message", error.message());
      if (error.data() != null) {
        body.set("data", error.data());
      }
      text.append(write(body));
    } else if (packet instanceof Packet.Disconnect disconnect) {
      text.append(DISCONNECT);
      namespace(text, disconnect.namespace());
    } else if (packet instanceof Packet.Event event) {
      ArrayNode array = NODES.arrayNode(event.args().size() + 2).add(event.name());
      event.args().forEach(array::add);
      if (event.recoverable() && event.ackId() == null) {
        offset(array, event);
      }
      attachments = body(text, EVENT, BINARY_EVENT, event.namespace(), event.ackId(), array);
    } else if (packet instanceof Packet.Ack ack) {
      ArrayNode array = NODES.arrayNode(ack.args().size());
      ack.args().forEach(array::add);
      attachments = body(text, ACK, BINARY_ACK, ack.namespace(), ack.id(), array);
    }
    return new WireFrame(text.toString(), attachments);
  }

  /**
   * Connection state recovery: socket.io-client takes the last argument of every event without an ack, if
   * it is a string, for its offset. A posted message gets its id there; an emit whose last argument is a
   * string gets a null after it, so that string is not mistaken for an offset, and so does one whose last
   * argument is null, so that a client can always drop a trailing string or null as the offset slot.
   */
  private static void offset(ArrayNode array, Packet.Event event) {
    if (event.messageId() != null) {
      array.add(event.messageId());
    } else if (event.args().size() > 0) {
      JsonNode last = event.args().get(event.args().size() - 1);
      if (last.isString() || last.isNull()) {
        array.addNull();
      }
    }
  }

  private List<byte[]> body(StringBuilder text, int plain, int binary, String namespace, @Nullable Long id,
                            ArrayNode array) {
    List<byte[]> attachments = new ArrayList<>(0);
    JsonNode payload = hasBinary(array) ? extract(array, attachments) : array;
    if (attachments.isEmpty()) {
      text.append(plain);
    } else {
      text.append(binary).append(attachments.size()).append('-');
    }
    namespace(text, namespace);
    if (id != null) {
      text.append(id.longValue());
    }
    text.append(write(payload));
    return attachments;
  }

  private static void namespace(StringBuilder text, String namespace) {
    if (!namespace.equals("/")) {
      text.append(namespace).append(',');
    }
  }

  private String write(JsonNode node) {
    return mapper.writeValueAsString(node);
  }

  private static boolean hasBinary(JsonNode node) {
    if (node.isBinary()) {
      return true;
    }
    if (node.isContainer()) {
      for (JsonNode child : node.values()) {
        if (hasBinary(child)) {
          return true;
        }
      }
    }
    return false;
  }

  private static JsonNode extract(JsonNode node, List<byte[]> attachments) {
    if (node.isBinary()) {
      ObjectNode placeholder = NODES.objectNode().put("_placeholder", true).put("num", attachments.size());
      attachments.add(node.binaryValue());
      return placeholder;
    }
    if (node.isArray()) {
      ArrayNode copy = NODES.arrayNode(node.size());
      for (JsonNode child : node.values()) {
        copy.add(extract(child, attachments));
      }
      return copy;
    }
    if (node.isObject()) {
      ObjectNode copy = NODES.objectNode();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        copy.set(field.getKey(), extract(field.getValue(), attachments));
      }
      return copy;
    }
    return node;
  }

  // ---- decoding ----

  /**
   * Decodes the Socket.IO part of an Engine.IO message (the text after the {@code "4"}).
   *
   * @return a complete packet, or a {@link BinaryAssembly} waiting for its binary frames
   * @throws ProtocolException if the text is not a valid packet a client may send
   */
  public Object decode(String text) {
    if (text.isEmpty()) {
      throw new ProtocolException("empty Socket.IO packet");
    }
    int type = text.charAt(0) - '0';
    if (type < CONNECT || type > BINARY_ACK) {
      throw new ProtocolException("unknown Socket.IO packet type " + text.charAt(0));
    }
    int i = 1;
    int attachments = 0;
    if (type == BINARY_EVENT || type == BINARY_ACK) {
      int dash = text.indexOf('-', i);
      if (dash < 0 || dash == i || dash - i > 3) {
        throw new ProtocolException("binary packet without a valid attachment count");
      }
      attachments = digits(text, i, dash, "attachment count");
      if (attachments < 1 || attachments > MAX_ATTACHMENTS) {
        throw new ProtocolException("attachment count must be 1.." + MAX_ATTACHMENTS + ": " + attachments);
      }
      i = dash + 1;
    }
    String namespace = "/";
    if (i < text.length() && text.charAt(i) == '/') {
      int comma = text.indexOf(',', i);
      int end = comma < 0 ? text.length() : comma;
      namespace = text.substring(i, end);
      i = comma < 0 ? end : comma + 1;
    }
    int idStart = i;
    // ASCII digits only: Character.isDigit would also take other scripts' digits and misread them.
    while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
      i++;
    }
    Long id = i > idStart ? ackId(text, idStart, i) : null;
    JsonNode payload = i < text.length() ? parse(text.substring(i)) : null;
    Object result = switch (type) {
      case CONNECT -> {
        if (payload != null && !payload.isObject()) {
          throw new ProtocolException("CONNECT payload must be an object");
        }
        yield new Packet.Connect(namespace, payload);
      }
      case DISCONNECT -> {
        if (payload != null) {
          throw new ProtocolException("DISCONNECT takes no payload");
        }
        yield new Packet.Disconnect(namespace);
      }
      case EVENT, BINARY_EVENT -> {
        if (payload == null || !payload.isArray() || payload.isEmpty()) {
          throw new ProtocolException("EVENT payload must be a non-empty array");
        }
        if (!payload.get(0).isString()) {
          throw new ProtocolException("event name is not a string");
        }
        yield type == EVENT ? event(namespace, (ArrayNode) payload, id)
            : new BinaryAssembly(this, namespace, id, (ArrayNode) payload, attachments, true);
      }
      case ACK, BINARY_ACK -> {
        if (id == null) {
          throw new ProtocolException("ACK without an id");
        }
        if (payload == null || !payload.isArray()) {
          throw new ProtocolException("ACK payload must be an array");
        }
        yield type == ACK ? new Packet.Ack(namespace, id, list((ArrayNode) payload, 0))
            : new BinaryAssembly(this, namespace, id, (ArrayNode) payload, attachments, false);
      }
      default -> throw new ProtocolException("a client may not send CONNECT_ERROR");
    };
    return result;
  }

  Packet.Event event(String namespace, ArrayNode payload, @Nullable Long id) {
    return new Packet.Event(namespace, payload.get(0).asString(), list(payload, 1), id, null);
  }

  static List<JsonNode> list(ArrayNode array, int from) {
    List<JsonNode> out = new ArrayList<>(Math.max(0, array.size() - from));
    for (int k = from; k < array.size(); k++) {
      out.add(array.get(k));
    }
    return out;
  }

  private JsonNode parse(String json) {
    if (JsonDepth.exceeds(json, JsonDepth.MAX)) {
      throw new ProtocolException("JSON payload nested deeper than " + JsonDepth.MAX + " levels");
    }
    try {
      return mapper.readTree(json);
    } catch (JacksonException e) {
      throw new ProtocolException("malformed JSON payload: " + e.getOriginalMessage());
    }
  }

  private static int digits(String text, int from, int to, String what) {
    int value = 0;
    for (int k = from; k < to; k++) {
      char c = text.charAt(k);
      if (c < '0' || c > '9') {
        throw new ProtocolException(what + " is not a number");
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static long ackId(String text, int from, int to) {
    // Past 19 digits, or past Long.MAX_VALUE, an id would wrap around to a negative or a wrong one.
    if (to - from > 19) {
      throw new ProtocolException("ack id out of range: " + (to - from) + " digits");
    }
    try {
      return Long.parseLong(text, from, to, 10);
    } catch (NumberFormatException e) {
      throw new ProtocolException("ack id out of range: " + text.substring(from, to));
    }
  }
}
