package dev.parley.protocol.sse;

import dev.parley.protocol.JsonDepth;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON body of a client's POST: an event ({@code {"event": name, "args": [...], "ack": bool}}) or the
 * answer to a server's {@code emitWithAck} ({@code {"ackId": n, "args": [...]}}). Decoding is all or
 * nothing: a body is either one of the two records or a {@link BadPostException}, whose message is the
 * 400 answer's {@code error}. Event names are judged by the engine, like those of every transport.
 */
public sealed interface PostBody {

  /** An event for the handlers. */
  record Emit(String event, List<JsonNode> args, boolean awaitAck) implements PostBody {
    public Emit {
      args = List.copyOf(args);
    }
  }

  /** The client's answer to the server's ack request {@code ackId}. */
  record Answer(long ackId, List<JsonNode> args) implements PostBody {
    public Answer {
      args = List.copyOf(args);
    }
  }

  /**
   * Decodes a body of at most {@code maxPostBody} bytes (the servlet has counted them).
   *
   * @throws BadPostException if it is not JSON, nests deeper than {@link JsonDepth#MAX}, or has not the shape
   *     of either record
   */
  static PostBody parse(JsonMapper mapper, byte[] body) {
    if (JsonDepth.exceeds(body, JsonDepth.MAX)) {
      throw new BadPostException("JSON nested deeper than " + JsonDepth.MAX + " levels");
    }
    JsonNode json;
    try {
      json = mapper.readTree(body);
    } catch (JacksonException e) {
      throw new BadPostException("malformed JSON: " + e.getOriginalMessage());
    }
    if (json == null || !json.isObject()) {
      throw new BadPostException("the body must be a JSON object");
    }
    JsonNode args = json.get("args");
    if (args != null && !args.isArray()) {
      throw new BadPostException("\"args\" must be an array");
    }
    List<JsonNode> list = new ArrayList<>(args == null ? 0 : args.size());
    if (args != null) {
      args.values().forEach(list::add);
    }
    JsonNode ackId = json.get("ackId");
    if (ackId != null) {
      if (!ackId.isIntegralNumber() || !ackId.canConvertToLong()) {
        throw new BadPostException("\"ackId\" must be an integer");
      }
      return new Answer(ackId.asLong(), list);
    }
    JsonNode event = json.get("event");
    if (event == null || !event.isString() || event.asString().isEmpty()) {
      throw new BadPostException("missing event name: send {\"event\": name, \"args\": [...]}");
    }
    return new Emit(event.asString(), list, json.path("ack").asBoolean(false));
  }

  /** A body that is not a valid POST; answered with 400 and this message. */
  final class BadPostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadPostException(String message) {
      super(message, null, false, false);
    }
  }
}
