package dev.parley.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A message to append to a room's history: a {@link dev.parley.Message} before the store gives it an
 * id and a time.
 *
 * @param sender the posting channel, which does not receive it back; null for server posts
 */
public record Post(String namespace, String room, String event, JsonNode payload, @Nullable String sender) {
  public Post {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(payload, "payload");
  }
}
