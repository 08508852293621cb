package dev.parley.protocol.socketio;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The body of Engine.IO v4's open packet, the first frame a server sends: {@code "0"} followed by
 * {@link #encode()}. Written by the server's WebSocket transport and read by the Java client, through this one
 * type so the two cannot disagree on a field's name or kind. Immutable.
 *
 * @param sid the Engine.IO session id
 * @param upgrades the transports the client may upgrade to; none over WebSocket
 * @param pingInterval how often the server pings, in milliseconds; not negative
 * @param pingTimeout how long the server waits for a pong, in milliseconds; not negative
 * @param maxPayload the largest frame the server accepts, in bytes; 0 if the server did not say
 */
public record OpenPacket(String sid, List<String> upgrades, long pingInterval, long pingTimeout, long maxPayload) {
  /**
   * @throws IllegalArgumentException if a duration or {@code maxPayload} is negative
   */
  public OpenPacket {
    Objects.requireNonNull(sid, "sid");
    upgrades = List.copyOf(upgrades);
    if (pingInterval < 0 || pingTimeout < 0 || maxPayload < 0) {
      throw new IllegalArgumentException("negative open packet value: pingInterval " + pingInterval
          + ", pingTimeout " + pingTimeout + ", maxPayload " + maxPayload);
    }
  }

  /**
   * The packet's JSON body, without Engine.IO's {@code "0"} type. A session id and upgrades of printable ASCII
   * with no quote or backslash (what a server generates) are written as they are, since JSON would not escape
   * them; anything else goes through a JSON tree, so that it is escaped whatever it holds. Every connection
   * sends one: the tree cost a few percent of a connection's CPU. Safe from any thread.
   *
   * @return the JSON object, fields in the order socket.io's server writes them
   */
  public String encode() {
    if (!plain(sid) || !upgrades.stream().allMatch(OpenPacket::plain)) {
      return encodeEscaped();
    }
    StringBuilder body = new StringBuilder(96 + sid.length())
        .append("{\"sid\":\"").append(sid).append("\",\"upgrades\":[");
    for (int i = 0; i < upgrades.size(); i++) {
      body.append(i == 0 ? "\"" : ",\"").append(upgrades.get(i)).append('"');
    }
    return body.append("],\"pingInterval\":").append(pingInterval).append(",\"pingTimeout\":").append(pingTimeout)
        .append(",\"maxPayload\":").append(maxPayload).append('}').toString();
  }

  /** {@link #encode()} through a JSON tree, which escapes whatever the values hold. */
  String encodeEscaped() {
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("sid", sid);
    ArrayNode list = body.putArray("upgrades");
    upgrades.forEach(list::add);
    body.put("pingInterval", pingInterval).put("pingTimeout", pingTimeout).put("maxPayload", maxPayload);
    return body.toString();
  }

  // Printable ASCII but the two characters JSON escapes in a string: written as they are, a JSON string of itself.
  static boolean plain(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads an open packet's JSON body (the text after Engine.IO's {@code "0"}). {@code sid},
   * {@code pingInterval} and {@code pingTimeout} are required; {@code upgrades} and {@code maxPayload} may be
   * missing (empty, 0). A negative number is read as 0, as before: it can only mean "none". Safe from any
   * thread if {@code mapper} is.
   *
   * @param json the body
   * @param mapper the mapper to parse it with
   * @return the packet
   * @throws ProtocolException if the body is not JSON or lacks a required field, or a field has the wrong kind
   */
  public static OpenPacket parse(String json, JsonMapper mapper) {
    JsonNode body;
    try {
      body = mapper.readTree(json);
    } catch (JacksonException e) {
      throw new ProtocolException("malformed Engine.IO open packet: " + e.getOriginalMessage());
    }
    if (body == null || !body.isObject() || !body.path("sid").isString()
        || !body.path("pingInterval").canConvertToLong() || !body.path("pingTimeout").canConvertToLong()) {
      throw new ProtocolException("malformed Engine.IO open packet");
    }
    JsonNode maxPayload = body.path("maxPayload");
    if (!maxPayload.isMissingNode() && !maxPayload.canConvertToLong()) {
      throw new ProtocolException("malformed Engine.IO open packet: maxPayload is not a number");
    }
    List<String> upgrades = new ArrayList<>();
    JsonNode list = body.path("upgrades");
    if (!list.isMissingNode()) {
      if (!list.isArray()) {
        throw new ProtocolException("malformed Engine.IO open packet: upgrades is not an array");
      }
      for (JsonNode upgrade : list.values()) {
        if (!upgrade.isString()) {
          throw new ProtocolException("malformed Engine.IO open packet: an upgrade is not a string");
        }
        upgrades.add(upgrade.asString());
      }
    }
    return new OpenPacket(body.path("sid").asString(), upgrades, Math.max(0, body.path("pingInterval").asLong()),
        Math.max(0, body.path("pingTimeout").asLong()), Math.max(0, maxPayload.asLong(0)));
  }
}
