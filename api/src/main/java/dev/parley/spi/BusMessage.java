package dev.parley.spi;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * An ephemeral emit travelling between nodes: who it is for (as a {@link dev.parley.Broadcast} states
 * it) and what it is.
 *
 * @param origin the node that emitted it, which does not deliver it again
 * @param rooms target rooms; empty means every channel of the namespace
 * @param except rooms whose members are excluded
 */
public record BusMessage(String origin, String namespace, Set<String> rooms, Set<String> except,
                         String event, List<JsonNode> args) {
  public BusMessage {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(namespace, "namespace");
    rooms = Set.copyOf(rooms);
    except = Set.copyOf(except);
    Objects.requireNonNull(event, "event");
    args = List.copyOf(args);
  }
}
