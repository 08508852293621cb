package dev.parley.spi;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A message travelling between the nodes that share a store: an ephemeral emit (kind {@value #EMIT}), or one
 * of the engine's cluster operations (a request to every node, a reply to one, a node's heartbeat). A store
 * carries every field as it is and interprets none of them: the engine gives the kinds and {@code data} their
 * meaning.
 *
 * @param origin the node that sent it; a node skips what it sent itself
 * @param target the one node it is for (a reply), or null for every node
 * @param kind what it is: {@value #EMIT} for an emit, otherwise the engine's own (a short lower-case name)
 * @param namespace the namespace it concerns (the engine's own messages that concern none use {@code "/"})
 * @param rooms target rooms; empty means every channel of the namespace
 * @param except rooms whose members are excluded
 * @param event the event's name, or an empty string when the kind has none
 * @param args the event's arguments
 * @param data what else the kind carries (a JSON object), or null
 */
public record BusMessage(String origin, @Nullable String target, String kind, String namespace, Set<String> rooms,
                         Set<String> except, String event, List<JsonNode> args, @Nullable JsonNode data) {
  /** The kind of an ephemeral emit to a namespace's rooms. */
  public static final String EMIT = "emit";

  public BusMessage {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    rooms = Set.copyOf(rooms);
    except = Set.copyOf(except);
    Objects.requireNonNull(event, "event");
    args = List.copyOf(args);
  }

  /** An emit to every node: who it is for (as a {@link dev.parley.Broadcast} states it) and what it is. */
  public BusMessage(String origin, String namespace, Set<String> rooms, Set<String> except, String event,
                    List<JsonNode> args) {
    this(origin, null, EMIT, namespace, rooms, except, event, args, null);
  }
}
