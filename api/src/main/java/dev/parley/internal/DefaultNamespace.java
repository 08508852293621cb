package dev.parley.internal;

import dev.parley.Broadcast;
import dev.parley.Channel;
import dev.parley.ConnectionHandler;
import dev.parley.Handshake;
import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.Middleware;
import dev.parley.Namespace;
import dev.parley.Replay;
import dev.parley.Room;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.internal.recovery.Recovery;
import dev.parley.internal.support.Ids;
import dev.parley.internal.support.SerialExecutor;
import dev.parley.protocol.LogSafe;
import dev.parley.protocol.Names;
import dev.parley.protocol.Packet;
import dev.parley.protocol.Refusal;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Outgoing;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** A namespace: its middleware and handlers, its channels on this node, and their room memberships. */
final class DefaultNamespace implements Namespace {
  private static final Logger log = LoggerFactory.getLogger(DefaultNamespace.class);

  private final String name;
  private final DefaultChatServer server;
  private final List<Middleware> middleware = new CopyOnWriteArrayList<>();
  private final List<ConnectionHandler> connectionHandlers = new CopyOnWriteArrayList<>();
  private final Map<String, DefaultChannel> channels = new ConcurrentHashMap<>();
  private final RoomRegistry<DefaultChannel, Membership> rooms = new RoomRegistry<>();
  private final DefaultBroadcast everyone;
  private volatile boolean recovery = true;

  DefaultNamespace(String name, DefaultChatServer server) {
    this.name = name;
    this.server = server;
    this.everyone = new DefaultBroadcast(this, Set.of(), Set.of(), false);
  }

  @Override
  public String name() {
    return name;
  }

  DefaultChatServer server() {
    return server;
  }

  @Override
  public Namespace use(Middleware middleware) {
    this.middleware.add(Objects.requireNonNull(middleware, "middleware"));
    return this;
  }

  @Override
  public Namespace onConnection(ConnectionHandler handler) {
    connectionHandlers.add(Objects.requireNonNull(handler, "handler"));
    return this;
  }

  @Override
  public Namespace connectionStateRecovery(boolean enabled) {
    this.recovery = enabled;
    return this;
  }

  /** Whether channels of this namespace can be recovered: on here, and a non-zero duration configured. */
  boolean recoveryEnabled() {
    return recovery && !server.config().maxDisconnectionDuration().isZero();
  }

  @Override
  public DefaultRoom room(String name) {
    return new DefaultRoom(Names.room(name), this);
  }

  DefaultBroadcast broadcast() {
    return everyone;
  }

  @Override
  public Broadcast to(String room) {
    return everyone.to(room);
  }

  @Override
  public Broadcast except(String room) {
    return everyone.except(room);
  }

  @Override
  public Mono<Void> emit(String event, Object... args) {
    return everyone.emit(event, args);
  }

  @Override
  public Collection<Channel> channels() {
    return List.copyOf(channels.values());
  }

  @Override
  public Optional<Channel> channel(String id) {
    return Optional.ofNullable(channels.get(id));
  }

  @Override
  public String toString() {
    return "Namespace[" + name + "]";
  }

  // ---- handshake ----

  /**
   * Runs middleware, then creates the channel, or brings back the one a reconnecting client names by
   * connection state recovery (which blocks on the store); on the handler executor, in the session's order.
   */
  void handshake(DefaultSession session, Packet.Connect connect) {
    ConnectionInfo info = session.info();
    JsonNode auth = connect.data() != null ? connect.data() : JsonNodeFactory.instance.objectNode();
    boolean recoverable = recoveryEnabled() && session.recoverable();
    String resumeId = null;
    String offset = null;
    // Stripped even with recovery off here: a client given a pid before (say, before a restart with recovery
    // turned off) still sends them.
    if (session.recoverable() && auth instanceof ObjectNode object && (object.has("pid") || object.has("offset"))) {
      // The recovery keys are the protocol's, not the application's: middleware sees the auth without them.
      ObjectNode stripped = object.deepCopy();
      JsonNode pid = stripped.remove("pid");
      JsonNode last = stripped.remove("offset");
      resumeId = recoverable && pid != null && pid.isString() ? pid.asString() : null;
      offset = recoverable && last != null && last.isString() ? last.asString() : null;
      auth = stripped;
    }
    Handshake handshake = new Handshake(name, info.transport(), info.remoteAddress(), info.path(), info.headers(),
        info.query(), info.cookies(), auth, null, Map.of(), Instant.now());
    try {
      for (Middleware check : middleware) {
        handshake = Objects.requireNonNull(check.handle(handshake), "middleware returned null");
      }
    } catch (ConnectionRejectedException e) {
      log.debug("handshake to {} rejected: {}", name, LogSafe.text(e.getMessage()));
      session.send(new Outgoing(new Packet.ConnectError(name, e.refusal(), e.getMessage(), e.data())));
      return;
    } catch (Exception e) {
      log.warn("middleware of {} failed; handshake rejected", name, e);
      session.send(new Outgoing(new Packet.ConnectError(name, Refusal.INTERNAL, "internal server error", null)));
      return;
    }
    if (!server.isRunning()) {
      session.send(new Outgoing(new Packet.ConnectError(name, Refusal.SHUTTING_DOWN, "server shutting down", null)));
      return;
    }
    // After middleware, so that a client no longer allowed in cannot take its old channel back.
    Recovery.Restored restored = resumeId == null ? null
        : server.recovery().take(name, resumeId, offset).orElse(null);
    // Held until the channel is registered; then the connection handlers run, then the CONNECT answer goes,
    // then the client's events: nothing reaches the client ahead of the answer.
    SerialExecutor executor = new SerialExecutor(server.handlerExecutor(), true);
    DefaultChannel channel = new DefaultChannel(restored != null ? restored.channelId() : Ids.next(), this,
        session, handshake, executor);
    if (recoverable) {
      channel.enableRecovery(restored != null ? resumeId : Ids.secret(), restored != null, offset);
    }
    executor.execute(() -> runConnectionHandlers(channel));
    if (!session.attach(channel)) {
      if (restored != null) {
        // The connection went while its session was being taken: keep it for the next attempt.
        server.recovery().putBack(name, resumeId, restored, offset);
      }
      return;
    }
    // Registered before the client learns its id, so that once it has, server.to(id) and channel(id)
    // reach it; what is sent to it meanwhile waits behind the CONNECT answer.
    channels.put(channel.id(), channel);
    if (restored != null) {
      // Before the connection handlers run, so they see the rooms and data; replays wait behind the answer.
      channel.restore(restored, server.recovery().dataFrom(restored.data()));
      log.debug("{} recovered", channel);
    } else {
      channel.joinOwnRoom();
    }
    ObjectNode sid = JsonNodeFactory.instance.objectNode().put("sid", channel.id());
    if (channel.privateId() != null) {
      sid.put("pid", channel.privateId());
    }
    Outgoing answer = new Outgoing(new Packet.Connect(name, sid));
    // After the connection handlers, as on Node, where nothing else runs between them and the answer: by the
    // time the client knows it is connected, it is in the rooms they joined it to, so a broadcast another
    // client sends the moment it sees this one arrive reaches it too.
    executor.execute(() -> {
      channel.announce(answer);
      if (!channel.connected()) {
        // Closed while being registered: undo what its close may have missed.
        removeChannel(channel);
        rooms.leaveAll(channel);
      }
      log.debug("{} connected over {}", channel, info.transport());
    });
    executor.release();
  }

  private void runConnectionHandlers(DefaultChannel channel) {
    for (ConnectionHandler handler : connectionHandlers) {
      if (!channel.connected()) {
        return;
      }
      try {
        handler.connected(channel);
      } catch (Exception e) {
        log.warn("connection handler of {} failed for {}", name, channel, e);
      }
    }
  }

  void removeChannel(DefaultChannel channel) {
    channels.remove(channel.id(), channel);
  }

  // ---- rooms ----

  /** Which of this node's channels are in which rooms. */
  RoomRegistry<DefaultChannel, Membership> roomRegistry() {
    return rooms;
  }

  Set<Channel> members(String room) {
    return Collections.unmodifiableSet(rooms.members(room));
  }

  /** Rooms with at least one member on this node. */
  int roomCount() {
    return rooms.roomCount();
  }

  /** Channels connected to this namespace on this node. */
  int channelCount() {
    return channels.size();
  }

  /** Memberships of this node's channels in this namespace's rooms, own rooms included. */
  int membershipCount() {
    return rooms.membershipCount();
  }

  /** The id of the room's last message, or {@code ""} if it has none. */
  Mono<String> lastId(String room) {
    return server.store().history(name, room, HistoryQuery.latest(1)).next().map(Message::id).defaultIfEmpty("");
  }

  /** Replays history into a membership that holds back live messages, then lets them through. */
  Mono<Void> replayInto(String room, Replay replay, Membership membership) {
    Flux<Message> history;
    if (replay instanceof Replay.Last last) {
      history = server.store().history(name, room, HistoryQuery.latest(Math.min(last.count(),
          server.config().maxHistoryPage())));
    } else {
      history = pagesAfter(room, ((Replay.After) replay).messageId());
    }
    Mono<Void> done = history
        .doOnNext(membership::replayed)
        .then()
        .doOnError(e -> log.warn("replay of {} failed; live messages continue", Names.quote(room), e))
        .doFinally(signal -> membership.replayDone())
        .cache();
    done.subscribe(v -> { }, e -> { });
    return done;
  }

  private Flux<Message> pagesAfter(String room, String after) {
    int page = server.config().replayPageSize();
    return server.store().history(name, room, HistoryQuery.after(after, page))
        .collectList()
        .flatMapMany(messages -> {
          if (messages.size() < page) {
            return Flux.fromIterable(messages);
          }
          String last = messages.get(messages.size() - 1).id();
          return Flux.fromIterable(messages).concatWith(Flux.defer(() -> pagesAfter(room, last)));
        });
  }

  /** A stored message from the store's feed: delivered to this node's members of its room. */
  void onMessage(Message message) {
    Collection<Membership> members = rooms.membershipsIn(message.room());
    if (members.isEmpty()) {
      return;
    }
    Outgoing packet = new Outgoing(eventOf(message));
    for (Membership membership : members) {
      membership.live(message, packet);
    }
  }

  Packet.Event eventOf(Message message) {
    return new Packet.Event(message.namespace(), message.event(), List.of(message.payload()), null, message.id(),
        recoveryEnabled());
  }

  /** Queues one shared packet for every local channel the targeting selects. */
  void deliverLocal(Set<String> targets, Set<String> except, Outgoing packet) {
    Set<DefaultChannel> excluded = rooms.membersOfAnyCopy(except);
    Collection<DefaultChannel> recipients = targets.isEmpty() ? channels.values() : rooms.membersOfAny(targets);
    for (DefaultChannel channel : recipients) {
      if (!excluded.contains(channel)) {
        channel.send(packet);
      }
    }
  }
}
