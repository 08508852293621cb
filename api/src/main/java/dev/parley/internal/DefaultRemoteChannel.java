package dev.parley.internal;

import dev.parley.Broadcast;
import dev.parley.Handshake;
import dev.parley.RemoteChannel;
import java.security.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A channel's snapshot as it travels between nodes ({@link #json}) and as {@code fetchChannels} returns it; its
 * actions are broadcasts to the channel's own room on the node that holds it.
 */
final class DefaultRemoteChannel implements RemoteChannel {
  private static final Logger log = LoggerFactory.getLogger(DefaultRemoteChannel.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final String id;
  private final String node;
  private final Set<String> rooms;
  private final Handshake handshake;
  private final JsonNode data;
  private final Broadcast self;

  private DefaultRemoteChannel(String id, String node, Set<String> rooms, Handshake handshake, JsonNode data,
                               DefaultNamespace namespace) {
    this.id = id;
    this.node = node;
    this.rooms = rooms;
    this.handshake = handshake;
    this.data = data;
    this.self = namespace.broadcast().to(id).onNode(node);
  }

  /** What travels of a channel: id, rooms, the handshake but for cookies and attributes, and data as JSON. */
  static ObjectNode json(DefaultChannel channel) {
    ObjectNode out = JSON.objectNode();
    out.put("id", channel.id());
    ArrayNode rooms = out.putArray("rooms");
    channel.rooms().forEach(rooms::add);
    Handshake h = channel.handshake();
    ObjectNode handshake = out.putObject("handshake");
    handshake.put("transport", h.transport()).put("address", h.remoteAddress()).put("path", h.path());
    handshake.set("headers", multimap(h.headers()));
    handshake.set("query", multimap(h.query()));
    handshake.set("auth", h.auth());
    Principal principal = h.principal();
    if (principal != null) {
      handshake.put("principal", principal.getName());
    }
    handshake.put("issuedAt", h.issuedAt().toEpochMilli());
    ObjectNode data = out.putObject("data");
    Map<String, Object> values = channel.dataIfAny();
    if (values != null) {
      values.forEach((key, value) -> {
        try {
          data.set(key, channel.mapper().valueToTree(value));
        } catch (RuntimeException e) {
          log.debug("{}'s data \"{}\" cannot be written as JSON; left out of its snapshot", channel, key, e);
        }
      });
    }
    return out;
  }

  private static ObjectNode multimap(Map<String, List<String>> values) {
    ObjectNode out = JSON.objectNode();
    values.forEach((key, list) -> {
      ArrayNode array = out.putArray(key);
      list.forEach(array::add);
    });
    return out;
  }

  /** The snapshot {@link #json} made, held by {@code node}. */
  static DefaultRemoteChannel of(JsonNode json, String node, DefaultNamespace namespace) {
    Set<String> rooms = new LinkedHashSet<>();
    json.path("rooms").forEach(room -> rooms.add(room.asString()));
    JsonNode h = json.path("handshake");
    String principal = h.path("principal").asString(null);
    Handshake handshake = new Handshake(namespace.name(), h.path("transport").asString(""),
        h.path("address").asString(""), h.path("path").asString(""), multimap(h.path("headers")),
        multimap(h.path("query")), Map.of(), h.path("auth").isObject() ? h.path("auth") : JSON.objectNode(),
        principal == null ? null : new Named(principal), Map.of(), Instant.ofEpochMilli(h.path("issuedAt").asLong()));
    return new DefaultRemoteChannel(json.path("id").asString(), node, Set.copyOf(rooms), handshake,
        json.path("data"), namespace);
  }

  private static Map<String, List<String>> multimap(JsonNode json) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : json.properties()) {
      List<String> values = new ArrayList<>();
      entry.getValue().forEach(value -> values.add(value.asString()));
      out.put(entry.getKey(), values);
    }
    return out;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String node() {
    return node;
  }

  @Override
  public Set<String> rooms() {
    return rooms;
  }

  @Override
  public Handshake handshake() {
    return handshake;
  }

  @Override
  public JsonNode data() {
    return data;
  }

  @Override
  public Mono<Void> emit(String event, Object... args) {
    return self.emit(event, args);
  }

  @Override
  public Mono<Void> join(String room) {
    return self.join(room);
  }

  @Override
  public Mono<Void> leave(String room) {
    return self.leave(room);
  }

  @Override
  public Mono<Void> disconnect() {
    return self.disconnect();
  }

  @Override
  public String toString() {
    return "RemoteChannel[" + id + " on " + node + "]";
  }

  /** A principal that travelled as its name. */
  private record Named(String getName) implements Principal {
  }
}
