package dev.parley.internal;

import dev.parley.Broadcast;
import dev.parley.Channel;
import dev.parley.RemoteChannel;
import dev.parley.Reply;
import dev.parley.protocol.Checks;
import dev.parley.protocol.JsonArguments;
import dev.parley.protocol.Names;
import dev.parley.protocol.Packet;
import dev.parley.spi.BusMessage;
import dev.parley.spi.Outgoing;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Immutable targeting: each modifier copies the set it changes. Besides rooms and exclusions, a broadcast may be
 * for this node only ({@link #local()}) or for one other node ({@link #onNode}, how a fetched channel is reached).
 */
final class DefaultBroadcast implements Broadcast {
  /** The field of an emit's bus data that makes it droppable on the receiving nodes too. */
  static final String DROPPABLE = "droppable";

  private final DefaultNamespace namespace;
  private final Set<String> rooms;
  private final Set<String> except;
  private final boolean local;
  // The one node this broadcast is for, or null for every node.
  private final @Nullable String node;
  // How long operations across nodes wait; null for their defaults.
  private final @Nullable Duration timeout;
  private final boolean droppable;

  DefaultBroadcast(DefaultNamespace namespace, Set<String> rooms, Set<String> except, boolean local) {
    this(namespace, rooms, except, local, null, null, false);
  }

  private DefaultBroadcast(DefaultNamespace namespace, Set<String> rooms, Set<String> except, boolean local,
                           @Nullable String node, @Nullable Duration timeout, boolean droppable) {
    this.namespace = namespace;
    this.rooms = rooms;
    this.except = except;
    this.local = local;
    this.node = node;
    this.timeout = timeout;
    this.droppable = droppable;
  }

  @Override
  public DefaultBroadcast to(String room) {
    return new DefaultBroadcast(namespace, plus(rooms, Names.room(room)), except, local, node, timeout, droppable);
  }

  @Override
  public Broadcast except(String room) {
    return new DefaultBroadcast(namespace, rooms, plus(except, Names.room(room)), local, node, timeout, droppable);
  }

  @Override
  public Broadcast except(Channel channel) {
    Objects.requireNonNull(channel, "channel");
    return except(channel.id());
  }

  @Override
  public Broadcast local() {
    return local ? this : new DefaultBroadcast(namespace, rooms, except, true, node, timeout, droppable);
  }

  /** This broadcast for the one node named: this node's channels only if it is this one. */
  DefaultBroadcast onNode(String id) {
    boolean here = id.equals(namespace.server().config().nodeId());
    return new DefaultBroadcast(namespace, rooms, except, local || here, here ? null : id, timeout, droppable);
  }

  @Override
  public Broadcast timeout(Duration timeout) {
    Checks.positive("timeout", timeout);
    return new DefaultBroadcast(namespace, rooms, except, local, node, timeout, droppable);
  }

  @Override
  public Broadcast droppable() {
    return droppable ? this : new DefaultBroadcast(namespace, rooms, except, local, node, timeout, true);
  }

  // ---- to whom ----

  DefaultNamespace namespace() {
    return namespace;
  }

  Set<String> rooms() {
    return rooms;
  }

  Set<String> except() {
    return except;
  }

  /** Whether this node's channels are among those selected. */
  boolean includesThisNode() {
    return node == null;
  }

  /** Whether other nodes' channels may be among those selected. */
  boolean includesOtherNodes() {
    return !local;
  }

  /** The one other node this broadcast is for, or null for every node. */
  @Nullable String node() {
    return node;
  }

  /** How long operations across nodes wait for the nodes. */
  Duration timeout() {
    return timeout != null ? timeout : namespace.server().config().clusterTimeout();
  }

  /** How long {@link #emitWithAck} waits for the clients. */
  Duration ackTimeout() {
    return timeout != null ? timeout : namespace.server().config().ackTimeout();
  }

  // ---- what ----

  @Override
  public Mono<Void> emit(String event, Object... args) {
    Names.event(event);
    DefaultChatServer server = namespace.server();
    List<JsonNode> json = JsonArguments.toJson(server.mapper(), event, args);
    server.checkOpen();
    if (includesThisNode()) {
      int delivered = namespace.deliverLocal(rooms, except, new Outgoing(new Packet.Event(namespace.name(), event,
          json, null, null, namespace.recoveryEnabled())), droppable);
      server.observers().eventSent(namespace.name(), delivered);
    }
    if (!includesOtherNodes()) {
      return Mono.empty();
    }
    return server.publish(new BusMessage(server.config().nodeId(), node, BusMessage.EMIT, namespace.name(), rooms,
        except, event, json, droppable ? JsonNodeFactory.instance.objectNode().put(DROPPABLE, true) : null));
  }

  @Override
  public Mono<List<Reply>> emitWithAck(String event, Object... args) {
    return namespace.server().clusterOperations().emitWithAck(this, event, args);
  }

  @Override
  public Mono<Void> join(String room) {
    return namespace.server().clusterOperations().join(this, Names.room(room));
  }

  @Override
  public Mono<Void> leave(String room) {
    return namespace.server().clusterOperations().leave(this, Names.room(room));
  }

  @Override
  public Mono<Void> disconnect() {
    return namespace.server().clusterOperations().disconnect(this);
  }

  @Override
  public Mono<List<RemoteChannel>> fetchChannels() {
    return namespace.server().clusterOperations().fetch(this);
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
    return "Broadcast[" + namespace.name() + " to " + rooms + " except " + except + (local ? " local" : "")
        + (node != null ? " on " + node : "") + (droppable ? " droppable" : "") + "]";
  }
}
