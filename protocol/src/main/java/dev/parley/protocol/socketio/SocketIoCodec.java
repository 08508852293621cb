package dev.parley.protocol.socketio;

import dev.parley.protocol.JsonCost;
import dev.parley.protocol.JsonDepth;
import dev.parley.protocol.Names;
import dev.parley.protocol.Packet;
import dev.parley.protocol.Refusal;
import dev.parley.protocol.PacketEncoder;
import java.nio.CharBuffer;
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

  /** The message of Socket.IO's CONNECT_ERROR to a namespace that does not exist. */
  public static final String INVALID_NAMESPACE = "Invalid namespace";

  private final JsonMapper mapper;

  /**
   * A codec that parses and writes JSON with {@code mapper}.
   *
   * @param mapper the mapper; shared, so it must not be reconfigured afterwards
   */
  public SocketIoCodec(JsonMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * The kind of a CONNECT_ERROR read from the wire (client side), which does not carry it:
   * {@link Refusal#INVALID_NAMESPACE} when the message is exactly the protocol's {@value #INVALID_NAMESPACE},
   * otherwise {@link Refusal#REJECTED}. The server never decodes a CONNECT_ERROR: a client may not send one.
   * Pure; safe from any thread.
   *
   * @param message the CONNECT_ERROR's message
   * @return the refusal's kind
   */
  public static Refusal refusalOf(String message) {
    return INVALID_NAMESPACE.equals(message) ? Refusal.INVALID_NAMESPACE : Refusal.REJECTED;
  }

  /**
   * A CONNECT_ERROR as read from the wire, its kind given by {@link #refusalOf(String)}. Pure; safe from any
   * thread.
   *
   * @param namespace the namespace refused
   * @param message the server's message
   * @param data the server's detail, or null
   * @return the packet
   */
  public static Packet.ConnectError connectError(String namespace, String message, @Nullable JsonNode data) {
    return new Packet.ConnectError(namespace, refusalOf(message), message, data);
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
        text.append(connectData(connect.data()));
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
        RecoveryOffset.add(array, event);
      }
      attachments = body(text, EVENT, BINARY_EVENT, event.namespace(), event.ackId(), array);
    } else if (packet instanceof Packet.Ack ack) {
      ArrayNode array = NODES.arrayNode(ack.args().size());
      ack.args().forEach(array::add);
      attachments = body(text, ACK, BINARY_ACK, ack.namespace(), ack.id(), array);
    }
    return new WireFrame(text.toString(), attachments);
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

  /**
   * A CONNECT's data: an object of plain strings ({@code {"sid": ..., "pid": ...}}, which every connection is
   * sent) written as it is, since JSON would not escape it; anything else through the mapper.
   */
  private String connectData(JsonNode data) {
    if (!data.isObject() || data.size() > 8) {
      return write(data);
    }
    StringBuilder out = new StringBuilder(80).append('{');
    for (Map.Entry<String, JsonNode> field : data.properties()) {
      JsonNode value = field.getValue();
      if (!value.isString() || !OpenPacket.plain(field.getKey()) || !OpenPacket.plain(value.asString())) {
        return write(data);
      }
      out.append(out.length() == 1 ? "\"" : ",\"").append(field.getKey()).append("\":\"").append(value.asString())
          .append('"');
    }
    return out.append('}').toString();
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
   * The header of a Socket.IO packet, read without touching its payload: enough for a server to admit the
   * packet (against the rate limit and the inbound byte budget) before its JSON is parsed.
   *
   * @param type the Socket.IO packet type, 0..6 (4, CONNECT_ERROR, only from a {@link Peer#SERVER})
   * @param attachments the binary frames a BINARY_EVENT or BINARY_ACK announced, else 0
   * @param namespace the namespace, {@code "/"} if none was written; at most
   *     {@value dev.parley.ChatServerConfig#MAX_NAME_LENGTH} characters
   * @param ackId the packet's id (an EVENT's ack id, an ACK's answer to the server), or null
   * @param payloadStart where the JSON payload starts in the text; the text's length if there is none
   */
  public record Header(int type, int attachments, String namespace, @Nullable Long ackId, int payloadStart) {
    /** Whether this is a CONNECT. */
    public boolean connect() {
      return type == CONNECT;
    }

    /** Whether this is a DISCONNECT, which carries nothing to budget for. */
    public boolean disconnect() {
      return type == DISCONNECT;
    }

    /** The ack id the client asks the server to answer: an EVENT's or BINARY_EVENT's id, else null. */
    public @Nullable Long eventAckId() {
      return type == EVENT || type == BINARY_EVENT ? ackId : null;
    }

    /** Whether binary frames follow the text. */
    public boolean binary() {
      return attachments > 0;
    }
  }

  /**
   * Reads the header of the Socket.IO packet that starts at {@code from} in {@code text} (after Engine.IO's
   * {@code "4"}), and checks what can be checked without parsing the payload: the type, whether
   * {@code sender} may send it, the attachment count (1..{@value #MAX_ATTACHMENTS}), the namespace's length
   * (at most {@value Names#MAX_NAME_LENGTH} characters), the ack id's range, and whether the type takes a
   * payload or an id at all. Allocates only the namespace. Safe from any thread.
   *
   * @param text the frame's text
   * @param from where the Socket.IO packet starts in it
   * @param sender the end that sent the packet
   * @return the header
   * @throws ProtocolException if the header is not one {@code sender} may send
   */
  public Header header(String text, int from, Peer sender) {
    if (from >= text.length()) {
      throw new ProtocolException("empty Socket.IO packet");
    }
    int type = text.charAt(from) - '0';
    if (type < CONNECT || type > BINARY_ACK) {
      throw new ProtocolException("unknown Socket.IO packet type " + text.charAt(from));
    }
    if (type == CONNECT_ERROR && sender == Peer.CLIENT) {
      throw new ProtocolException("a client may not send CONNECT_ERROR");
    }
    int i = from + 1;
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
      // A namespace ends at a comma or with the text. No namespace is longer than a name may be, so the search
      // stops there: a client's megabyte of "namespace" is never copied, nor later quoted back to it.
      int limit = Math.min(text.length(), i + Names.MAX_NAME_LENGTH + 1);
      int end = i;
      while (end < limit && text.charAt(end) != ',') {
        end++;
      }
      if (end - i > Names.MAX_NAME_LENGTH) {
        throw new ProtocolException("namespace longer than " + Names.MAX_NAME_LENGTH + " characters");
      }
      namespace = text.substring(i, end);
      i = end < text.length() ? end + 1 : end;
    }
    int idStart = i;
    // ASCII digits only: Character.isDigit would also take other scripts' digits and misread them.
    while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
      i++;
    }
    Long id = i > idStart ? ackId(text, idStart, i) : null;
    boolean payload = i < text.length();
    switch (type) {
      case DISCONNECT -> {
        if (payload) {
          throw new ProtocolException("DISCONNECT takes no payload");
        }
      }
      case EVENT, BINARY_EVENT -> {
        if (!payload) {
          throw new ProtocolException("EVENT payload must be a non-empty array");
        }
      }
      case ACK, BINARY_ACK -> {
        if (id == null) {
          throw new ProtocolException("ACK without an id");
        }
        if (!payload) {
          throw new ProtocolException("ACK payload must be an array");
        }
      }
      case CONNECT_ERROR -> {
        // Socket.IO never numbers a refusal; a number here is a misread namespace or a broken server.
        if (id != null) {
          throw new ProtocolException("CONNECT_ERROR takes no id");
        }
      }
      default -> {
        // CONNECT: the payload (a client's auth, a server's sid) is optional.
      }
    }
    return new Header(type, attachments, namespace, id, i);
  }

  /**
   * What the packet will hold once parsed, in bytes, for the inbound byte budget: the JSON payload's
   * estimated cost ({@link JsonCost}) and the frame's text. Scans the payload once, through a view of the text
   * (no copy).
   */
  public static long cost(Header header, String text) {
    return JsonCost.of(CharBuffer.wrap(text, header.payloadStart(), text.length())) + text.length();
  }

  /**
   * Decodes the Socket.IO part of an Engine.IO message (the text after the {@code "4"}) sent by
   * {@code sender}: {@link #header(String, int, Peer)} then {@link #decode(Header, String)}. A server's
   * CONNECT_ERROR comes out as a {@link Packet.ConnectError} made by {@link #connectError}. Safe from any
   * thread.
   *
   * @param text the Socket.IO packet
   * @param sender the end that sent it
   * @return a complete packet, or the assembly of a binary packet waiting for its binary frames
   * @throws ProtocolException if the text is not a valid packet {@code sender} may send
   */
  public Decoded decode(String text, Peer sender) {
    return decode(header(text, 0, sender), text);
  }

  /**
   * Decodes the packet whose {@code header} was read from {@code text}: parses its payload and checks it. A
   * binary packet's placeholders must be exactly {@code {"_placeholder":true,"num":k}} for each k from 0 to
   * its attachment count minus one, once each, checked before any attachment is collected. Which end sent it
   * was checked by {@link #header(String, int, Peer)}: a header of type CONNECT_ERROR came from a server.
   * The payload is nested at most {@link JsonDepth#MAX} levels deep. Safe from any thread.
   *
   * @param header the header read from {@code text}
   * @param text the text it was read from
   * @return a complete packet, or the assembly of a binary packet waiting for its binary frames
   * @throws ProtocolException if the payload is not valid for the packet's type
   */
  public Decoded decode(Header header, String text) {
    int type = header.type();
    String namespace = header.namespace();
    Long id = header.ackId();
    JsonNode payload = header.payloadStart() < text.length() ? parse(text, header.payloadStart()) : null;
    return switch (type) {
      case CONNECT -> {
        if (payload != null && !payload.isObject()) {
          throw new ProtocolException("CONNECT payload must be an object");
        }
        yield complete(new Packet.Connect(namespace, payload));
      }
      case DISCONNECT -> complete(new Packet.Disconnect(namespace));
      case CONNECT_ERROR -> complete(connectError(namespace, payload));
      case EVENT, BINARY_EVENT -> {
        if (payload == null || !payload.isArray() || payload.isEmpty()) {
          throw new ProtocolException("EVENT payload must be a non-empty array");
        }
        if (!payload.get(0).isString()) {
          throw new ProtocolException("event name is not a string");
        }
        if (type == EVENT) {
          yield complete(event(namespace, (ArrayNode) payload, id));
        }
        checkPlaceholders(payload, header.attachments());
        yield new Decoded.AwaitingAttachments(
            new BinaryAssembly(this, namespace, id, (ArrayNode) payload, header.attachments(), true));
      }
      case ACK, BINARY_ACK -> {
        if (payload == null || !payload.isArray()) {
          throw new ProtocolException("ACK payload must be an array");
        }
        if (type == ACK) {
          yield complete(new Packet.Ack(namespace, id, list((ArrayNode) payload, 0)));
        }
        checkPlaceholders(payload, header.attachments());
        yield new Decoded.AwaitingAttachments(
            new BinaryAssembly(this, namespace, id, (ArrayNode) payload, header.attachments(), false));
      }
      default -> throw new ProtocolException("unknown Socket.IO packet type " + type);
    };
  }

  private static Decoded complete(Packet packet) {
    return new Decoded.Complete(packet);
  }

  // Socket.IO v5 sends {"message": ..., "data": ...}; v4 servers sent the message as a bare string, and a
  // refusal with no body at all is still a refusal, so both are read rather than dropping the connection.
  private static Packet.ConnectError connectError(String namespace, @Nullable JsonNode payload) {
    String message = "connection refused";
    JsonNode data = null;
    if (payload != null && payload.isObject()) {
      JsonNode text = payload.get("message");
      if (text != null && text.isString()) {
        message = text.asString();
      }
      JsonNode detail = payload.get("data");
      data = detail == null || detail.isNull() ? null : detail;
    } else if (payload != null && payload.isString()) {
      message = payload.asString();
    } else if (payload != null) {
      throw new ProtocolException("CONNECT_ERROR payload must be an object");
    }
    return connectError(namespace, message, data);
  }

  /** Whether {@code node} is a binary placeholder: an object whose {@code _placeholder} is {@code true}. */
  static boolean isPlaceholder(JsonNode node) {
    if (!node.isObject()) {
      return false;
    }
    JsonNode marker = node.get("_placeholder");
    return marker != null && marker.isBoolean() && marker.booleanValue();
  }

  // Each attachment is referred to exactly once: a placeholder used twice would be filled with the same bytes
  // twice, and encoding the packet again (an application relaying it) would send them twice, so a client's
  // one attachment could become any number of frames to every receiver.
  private static void checkPlaceholders(JsonNode payload, int attachments) {
    boolean[] seen = new boolean[attachments];
    int found = placeholders(payload, seen, 0);
    if (found != attachments) {
      throw new ProtocolException(attachments + " attachments announced, " + found + " placeholders");
    }
  }

  private static int placeholders(JsonNode node, boolean[] seen, int found) {
    if (isPlaceholder(node)) {
      JsonNode num = node.get("num");
      if (num == null || !num.isInt() || num.intValue() < 0 || num.intValue() >= seen.length) {
        throw new ProtocolException("placeholder refers to a missing attachment: " + num);
      }
      if (seen[num.intValue()]) {
        throw new ProtocolException("placeholder " + num.intValue() + " used twice");
      }
      seen[num.intValue()] = true;
      return found + 1;
    }
    if (node.isContainer()) {
      for (JsonNode child : node.values()) {
        found = placeholders(child, seen, found);
      }
    }
    return found;
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

  private JsonNode parse(String text, int from) {
    if (JsonDepth.exceeds(CharBuffer.wrap(text, from, text.length()), JsonDepth.MAX)) {
      throw new ProtocolException("JSON payload nested deeper than " + JsonDepth.MAX + " levels");
    }
    try {
      return mapper.readTree(from == 0 ? text : text.substring(from));
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
