package dev.parley.test;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * An event a {@link TestClient} received.
 *
 * @param name the event name
 * @param args its arguments
 * @param messageId the stored message's id when the event delivers a post, else null
 * @param ackId the id to answer with when the server asked for an ack, else null
 */
public record ReceivedEvent(String name, List<JsonNode> args, @Nullable String messageId, @Nullable Long ackId) {

  /** Argument {@code i}. */
  public JsonNode arg(int i) {
    return args.get(i);
  }
}
