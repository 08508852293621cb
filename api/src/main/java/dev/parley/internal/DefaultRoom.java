package dev.parley.internal;

import dev.parley.Channel;
import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.Namespace;
import dev.parley.Presence;
import dev.parley.Room;
import dev.parley.protocol.JsonArguments;
import dev.parley.protocol.Names;
import dev.parley.spi.Post;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** A room handle: a name in a namespace. Cheap; made on every call to {@code room(name)}. */
final class DefaultRoom implements Room {
  private final String name;
  private final DefaultNamespace namespace;

  DefaultRoom(String name, DefaultNamespace namespace) {
    this.name = name;
    this.namespace = namespace;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Namespace namespace() {
    return namespace;
  }

  @Override
  public Mono<Message> post(String event, Object payload) {
    return post(event, payload, null);
  }

  Mono<Message> post(String event, Object payload, @Nullable String sender) {
    Names.event(event);
    JsonNode json = JsonArguments.toJson(namespace.server().mapper(), event, 0, payload);
    return namespace.server().post(new Post(namespace.name(), name, event, json, sender));
  }

  @Override
  public Flux<Message> history(int limit) {
    return history(HistoryQuery.latest(limit));
  }

  @Override
  public Flux<Message> history(HistoryQuery query) {
    Objects.requireNonNull(query, "query");
    DefaultChatServer server = namespace.server();
    server.checkOpen();
    return Flux.defer(() -> server.store().history(namespace.name(), name,
        query.capped(server.config().maxHistoryPage())));
  }

  @Override
  public Set<Channel> members() {
    return namespace.members(name);
  }

  @Override
  public Presence presence() {
    return namespace.server().presences().of(namespace, name);
  }

  @Override
  public Mono<Void> emit(String event, Object... args) {
    return namespace.to(name).emit(event, args);
  }

  @Override
  public String toString() {
    return "Room[" + name + " in " + namespace.name() + "]";
  }
}
