package dev.parley.protocol.sse;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON value in an SSE event's {@code data:} field, both ways: what {@link SseEncoder} writes and what
 * the Java client reads, side by side so they cannot drift apart.
 *
 * <p>The rule: an event with exactly one argument, no ack request, and an argument that is not a JSON
 * object with the key {@value #ARGS} is written as that bare argument (so a browser's
 * {@code JSON.parse(e.data)} is the payload). Every other event is written as the envelope
 * {@code {"parley:args": [...all arguments...]}}, plus {@code "parley:ackId": n} when the server asks for
 * an ack. So two arguments {@code (1, 2)} and one array argument {@code [1,2]} differ on the wire, and no
 * one-argument payload can pass for an ack request.
 *
 * <p>Stateless; all methods are thread-safe.
 */
public final class SseData {
  /** The envelope's key holding the event's arguments, a JSON array. */
  public static final String ARGS = "parley:args";
  /** The envelope's key holding the server's ack request id, a non-negative integer; absent without one. */
  public static final String ACK_ID = "parley:ackId";

  private SseData() {
  }

  /**
   * An event's data, decoded.
   *
   * @param args the event's arguments, in order (unmodifiable; JSON {@code null} arguments are
   *     {@code NullNode}s)
   * @param ackId the id the server wants the answer posted with, or null when it asked for no ack
   */
  public record Decoded(List<JsonNode> args, @Nullable Long ackId) {
    /**
     * A decoded event's data.
     *
     * @throws NullPointerException if {@code args} or one of its elements is null
     * @throws IllegalArgumentException if {@code ackId} is negative
     */
    public Decoded {
      args = List.copyOf(args);
      if (ackId != null && ackId < 0) {
        throw new IllegalArgumentException("ack id must not be negative: " + ackId);
      }
    }
  }

  /**
   * The {@code data:} value for an event with {@code args} and, if the server asks for an ack,
   * {@code ackId}: the bare argument or the {@value #ARGS} envelope, as the class describes. The returned
   * tree shares the argument nodes (it does not copy them); callers must not modify it.
   *
   * @param args the event's arguments, in order; JSON {@code null} arguments as {@code NullNode}s
   * @param ackId the server's ack request id, or null for none
   * @return the JSON value to write as the event's data
   * @throws NullPointerException if {@code args} or one of its elements is null
   * @throws IllegalArgumentException if {@code ackId} is negative
   */
  public static JsonNode encode(List<JsonNode> args, @Nullable Long ackId) {
    Objects.requireNonNull(args, "args");
    if (ackId != null && ackId < 0) {
      throw new IllegalArgumentException("ack id must not be negative: " + ackId);
    }
    if (ackId == null && args.size() == 1) {
      JsonNode only = Objects.requireNonNull(args.get(0), "argument");
      if (!(only.isObject() && only.has(ARGS))) {
        return only;
      }
    }
    ArrayNode array = JsonNodeFactory.instance.arrayNode(args.size());
    for (JsonNode arg : args) {
      array.add(Objects.requireNonNull(arg, "argument"));
    }
    ObjectNode envelope = JsonNodeFactory.instance.objectNode();
    envelope.set(ARGS, array);
    if (ackId != null) {
      envelope.put(ACK_ID, ackId.longValue());
    }
    return envelope;
  }

  /**
   * The arguments and ack request an event's {@code data:} value carries: for an object with the key
   * {@value #ARGS}, that array's elements and {@value #ACK_ID} if present; for any other value, that value
   * as the one argument, with no ack request. The returned arguments share the nodes of {@code data}.
   *
   * @param data the event's data, parsed as JSON
   * @return the event's arguments and ack request id
   * @throws NullPointerException if {@code data} is null
   * @throws IllegalArgumentException if {@code data} is an envelope whose {@value #ARGS} is not an array,
   *     or whose {@value #ACK_ID} is not an integer from 0 to {@link Long#MAX_VALUE}
   */
  public static Decoded decode(JsonNode data) {
    Objects.requireNonNull(data, "data");
    if (!data.isObject() || !data.has(ARGS)) {
      return new Decoded(List.of(data), null);
    }
    JsonNode args = data.get(ARGS);
    if (!args.isArray()) {
      throw new IllegalArgumentException("\"" + ARGS + "\" must be an array, not " + args.getNodeType());
    }
    Long ackId = null;
    JsonNode id = data.get(ACK_ID);
    if (id != null) {
      if (!id.isIntegralNumber() || !id.canConvertToLong() || id.asLong() < 0) {
        throw new IllegalArgumentException("\"" + ACK_ID + "\" must be an integer from 0 to " + Long.MAX_VALUE);
      }
      ackId = id.asLong();
    }
    List<JsonNode> list = new ArrayList<>(args.size());
    args.values().forEach(list::add);
    return new Decoded(list, ackId);
  }
}
