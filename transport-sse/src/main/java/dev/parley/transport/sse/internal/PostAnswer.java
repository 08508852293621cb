package dev.parley.transport.sse.internal;

import dev.parley.spi.Inbound;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The HTTP answer to a POST, as a value: written to the request by the node that read it, whichever node's stream
 * it was for, and carried back over the bus ({@link #travelling()}, {@link #of}) when that was another's.
 *
 * @param status the HTTP status
 * @param body the body, a JSON text, or null for none
 * @param retryAfter the {@code Retry-After} header, or null
 */
record PostAnswer(int status, @Nullable String body, @Nullable String retryAfter) {
  // First: the constants below are made with it.
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  static final PostAnswer NO_CONTENT = new PostAnswer(204, null, null);
  static final PostAnswer UNKNOWN_SESSION = error(404, "unknown or closed session");
  static final PostAnswer RATE_LIMITED = new PostAnswer(429, errorJson("rate limited"), "1");

  /** {@code {"error": message}} with {@code status}. */
  static PostAnswer error(int status, String message) {
    return new PostAnswer(status, errorJson(message), null);
  }

  private static String errorJson(String message) {
    return JSON.objectNode().put("error", message).toString();
  }

  /** The answer to a body the engine would not take, unparsed. */
  static PostAnswer refused(Inbound.Refusal refusal) {
    return switch (refusal) {
      case RATE_LIMITED -> RATE_LIMITED;
      case BUSY -> new PostAnswer(503, errorJson("server busy"), "1");
      case TOO_LARGE -> error(413, "the body is too large once parsed");
    };
  }

  /** 200 with the handler's ack arguments as a JSON array. */
  static PostAnswer reply(JsonMapper mapper, List<JsonNode> args) {
    ArrayNode array = JSON.arrayNode(args.size());
    args.forEach(array::add);
    return new PostAnswer(200, mapper.writeValueAsString(array), null);
  }

  /** The answer as it travels between nodes. */
  ObjectNode travelling() {
    ObjectNode out = JSON.objectNode().put("status", status);
    if (body != null) {
      out.put("body", body);
    }
    if (retryAfter != null) {
      out.put("retryAfter", retryAfter);
    }
    return out;
  }

  /** An answer that travelled between nodes. */
  static PostAnswer of(JsonNode travelled) {
    return new PostAnswer(travelled.path("status").asInt(502), travelled.path("body").asString(null),
        travelled.path("retryAfter").asString(null));
  }
}
