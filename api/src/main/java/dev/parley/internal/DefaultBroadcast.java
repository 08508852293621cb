package dev.parley.internal;

import dev.parley.Broadcast;
import dev.parley.Channel;
import dev.parley.protocol.JsonArguments;
import dev.parley.protocol.Names;
import dev.parley.protocol.Packet;
import dev.parley.spi.BusMessage;
import dev.parley.spi.Outgoing;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** Immutable targeting: each modifier copies the set it changes. */
final class DefaultBroadcast implements Broadcast {
  private final DefaultNamespace namespace;
  private final Set<String> rooms;
  private final Set<String> except;
  private final boolean local;

  DefaultBroadcast(DefaultNamespace namespace, Set<String> rooms, Set<String> except, boolean local) {
    this.namespace = namespace;
    this.rooms = rooms;
    this.except = except;
    this.local = local;
  }

  @Override
  public Broadcast to(String room) {
    return new DefaultBroadcast(namespace, plus(rooms, Names.room(room)), except, local);
  }

  @Override
  public Broadcast except(String room) {
    return new DefaultBroadcast(namespace, rooms, plus(except, Names.room(room)), local);
  }

  @Override
  public Broadcast except(Channel channel) {
    Objects.requireNonNull(channel, "channel");
    return except(channel.id());
  }

  @Override
  public Broadcast local() {
    return local ? this : new DefaultBroadcast(namespace, rooms, except, true);
  }

  @Override
  public Mono<Void> emit(String event, Object... args) {
    Names.event(event);
    DefaultChatServer server = namespace.server();
    List<JsonNode> json = JsonArguments.toJson(server.mapper(), event, args);
    server.checkOpen();
    int delivered = namespace.deliverLocal(rooms, except, new Outgoing(new Packet.Event(namespace.name(), event,
        json, null, null, namespace.recoveryEnabled())));
    server.observers().eventSent(namespace.name(), delivered);
    if (local) {
      return Mono.empty();
    }
    return server.publish(new BusMessage(server.config().nodeId(), namespace.name(), rooms, except, event, json));
  }

  private static Set<String> plus(Set<String> set, String value) {
    if (set.contains(value)) {
      return set;
    }
    Set<String> copy = new LinkedHashSet<>(set);
    copy.add(value);
    return Collections.unmodifiableSet(copy);
  }

  @Override
  public String toString() {
    return "Broadcast[" + namespace.name() + " to " + rooms + " except " + except + (local ? " local" : "") + "]";
  }
}
