package dev.parley;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A durable message: something {@link Room#post posted} to a room, stored, and delivered to the room's
 * members on every node.
 *
 * <p>Ids are assigned by the store. Within one store they are fixed-width strings whose natural
 * ({@link String#compareTo}) order is the order in which messages are delivered, so "every message
 * after id X" is exact: it is how {@link Replay#after(String)}, SSE's {@code Last-Event-ID} and
 * connection state recovery resume.
 *
 * @param id the store-assigned id
 * @param namespace the namespace of the room
 * @param room the room name
 * @param event the event name clients receive it under
 * @param payload the JSON payload
 * @param sender the channel that posted it through {@link Channel#post}, which does not receive it back;
 *     null when the server posted it
 * @param createdAt when the store accepted it
 */
public record Message(
    String id,
    String namespace,
    String room,
    String event,
    JsonNode payload,
    @Nullable String sender,
    Instant createdAt) {

  public Message {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** Whether this message comes after the message with {@code otherId} (true if that is null). */
  public boolean isAfter(@Nullable String otherId) {
    return otherId == null || id.compareTo(otherId) > 0;
  }
}
