package dev.parley.internal;

import dev.parley.Broadcast;
import dev.parley.Channel;
import dev.parley.DisconnectReason;
import dev.parley.EventHandler;
import dev.parley.Handshake;
import dev.parley.Message;
import dev.parley.Namespace;
import dev.parley.Replay;
import dev.parley.Reply;
import dev.parley.spi.JsonArguments;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Packet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One client in one namespace. */
final class DefaultChannel implements Channel {
  private static final Logger log = LoggerFactory.getLogger(DefaultChannel.class);

  private final String id;
  private final DefaultNamespace namespace;
  private final DefaultSession session;
  private final Handshake handshake;
  private final SerialExecutor executor;
  private final AckRegistry acks;
  private final Map<String, List<EventHandler>> handlers = new ConcurrentHashMap<>();
  private final Map<String, Membership> memberships = new ConcurrentHashMap<>();
  private final Map<String, Object> data = new ConcurrentHashMap<>();
  private final AtomicBoolean connected = new AtomicBoolean(true);
  private final Sinks.One<DisconnectReason> disconnected = Sinks.one();
  // Until the client has its CONNECT answer, packets for it wait here; guarded by itself.
  private final List<Outgoing> early = new java.util.ArrayList<>();
  private volatile boolean announced;

  DefaultChannel(String id, DefaultNamespace namespace, DefaultSession session, Handshake handshake,
                 SerialExecutor executor) {
    this.id = id;
    this.namespace = namespace;
    this.session = session;
    this.handshake = handshake;
    this.executor = executor;
    this.acks = new AckRegistry(namespace.server().config().maxPendingAcks());
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Namespace namespace() {
    return namespace;
  }

  @Override
  public Handshake handshake() {
    return handshake;
  }

  @Override
  public Set<String> rooms() {
    return Set.copyOf(memberships.keySet());
  }

  @Override
  public boolean connected() {
    return connected.get();
  }

  @Override
  public Map<String, Object> data() {
    return data;
  }

  @Override
  public Mono<Void> join(String room) {
    return join(room, Replay.none());
  }

  @Override
  public Mono<Void> join(String room, Replay replay) {
    Names.room(room);
    Objects.requireNonNull(replay, "replay");
    namespace.server().checkOpen();
    if (!connected()) {
      return Mono.empty();
    }
    boolean replaying = !(replay instanceof Replay.None);
    Membership membership = new Membership(this, replaying);
    if (memberships.putIfAbsent(room, membership) != null) {
      return Mono.empty();
    }
    namespace.addMember(room, this, membership);
    if (!connected()) {
      namespace.removeMember(room, this);
      return Mono.empty();
    }
    log.debug("{} joined {}", id, room);
    return replaying ? namespace.replayInto(room, replay, membership) : Mono.empty();
  }

  @Override
  public Mono<Void> leave(String room) {
    Names.room(room);
    if (room.equals(id)) {
      throw new IllegalArgumentException("a channel cannot leave the room of its own id: " + Names.quote(room));
    }
    if (memberships.remove(room) != null) {
      namespace.removeMember(room, this);
      log.debug("{} left {}", id, room);
    }
    return Mono.empty();
  }

  @Override
  public Channel on(String event, EventHandler handler) {
    Names.event(event);
    Objects.requireNonNull(handler, "handler");
    handlers.computeIfAbsent(event, e -> new CopyOnWriteArrayList<>()).add(handler);
    return this;
  }

  @Override
  public Mono<Void> emit(String event, Object... args) {
    Names.event(event);
    List<JsonNode> json = JsonArguments.toJson(mapper(), event, args);
    namespace.server().checkOpen();
    sendPacket(new Packet.Event(namespace.name(), event, json, null, null));
    return Mono.empty();
  }

  @Override
  public Mono<Reply> emitWithAck(String event, Object... args) {
    return emitWithAck(namespace.server().config().ackTimeout(), event, args);
  }

  @Override
  public Mono<Reply> emitWithAck(Duration timeout, String event, Object... args) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("ack timeout must be positive: " + timeout);
    }
    Names.event(event);
    List<JsonNode> json = JsonArguments.toJson(mapper(), event, args);
    DefaultChatServer server = namespace.server();
    server.checkOpen();
    Sinks.One<Reply> reply = Sinks.one();
    Mono<Reply> result = reply.asMono().publishOn(server.handlerScheduler());
    if (!connected()) {
      return Mono.error(new dev.parley.error.ChannelClosedException(id, DisconnectReason.TRANSPORT_CLOSE));
    }
    long ackId;
    try {
      ackId = acks.register(event, reply, timeout, server.scheduler());
    } catch (dev.parley.error.LimitExceededException e) {
      return Mono.error(e);
    }
    if (!connected()) {
      // Closed between the check above and the registration: closed() may have missed this ack.
      acks.failAll(id, DisconnectReason.TRANSPORT_CLOSE);
      return result;
    }
    sendPacket(new Packet.Event(namespace.name(), event, json, ackId, null));
    return result;
  }

  @Override
  public Mono<Message> post(String room, String event, Object payload) {
    return namespace.room(room).post(event, payload, id);
  }

  @Override
  public Broadcast broadcast() {
    return namespace.broadcast().except(this);
  }

  @Override
  public Broadcast to(String room) {
    return namespace.broadcast().to(room).except(this);
  }

  @Override
  public Mono<DisconnectReason> onDisconnect() {
    return disconnected.asMono();
  }

  @Override
  public void disconnect() {
    session.disconnectChannel(this, DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
  }

  @Override
  public String toString() {
    return "Channel[" + id + " in " + namespace.name() + "]";
  }

  // ---- engine side ----

  JsonMapper mapper() {
    return namespace.server().mapper();
  }

  SerialExecutor executor() {
    return executor;
  }

  DefaultSession session() {
    return session;
  }

  Map<String, Membership> memberships() {
    return memberships;
  }

  /** Adds the membership of the channel's own room; done once at creation. */
  void joinOwnRoom() {
    Membership own = new Membership(this, false);
    memberships.put(id, own);
    namespace.addMember(id, this, own);
  }

  void sendPacket(Packet packet) {
    send(new Outgoing(packet));
  }

  void send(Outgoing packet) {
    if (!connected()) {
      return;
    }
    if (!announced) {
      synchronized (early) {
        if (!announced) {
          early.add(packet);
          return;
        }
      }
    }
    session.send(packet);
  }

  /** Sends the CONNECT answer, then what was sent to the channel before it; later sends go straight out. */
  void announce(Outgoing connectAnswer) {
    synchronized (early) {
      session.send(connectAnswer);
      early.forEach(session::send);
      early.clear();
      announced = true;
    }
  }

  /** An event from the client: queued behind the channel's earlier handlers. */
  void received(Packet.Event packet) {
    if (!connected()) {
      return;
    }
    dispatch(new DefaultEvent(packet.name(), packet.args(), packet.ackId(), this, mapper()), () -> { });
  }

  /**
   * An event from a request/response transport: its handlers' ack completes the returned {@code Mono};
   * it is empty when they return without acking (unless {@code awaitLateAck}) or there is no handler.
   */
  Mono<List<JsonNode>> request(String name, List<JsonNode> args, boolean awaitLateAck) {
    if (!connected()) {
      return Mono.error(new dev.parley.error.ChannelClosedException(id, DisconnectReason.TRANSPORT_CLOSE));
    }
    Sinks.One<List<JsonNode>> reply = Sinks.one();
    DefaultEvent event = new DefaultEvent(name, args, reply, this, mapper());
    dispatch(event, () -> {
      if (!awaitLateAck || !event.hasHandlers()) {
        reply.tryEmitEmpty();
      }
    });
    return reply.asMono();
  }

  private void dispatch(DefaultEvent event, Runnable afterHandlers) {
    executor.execute(() -> {
      try {
        // Looked up when the event's turn comes, not on arrival: the connection handlers, which register
        // the event handlers, run first on this executor, and an event may arrive before they have run.
        List<EventHandler> registered = handlers.get(event.name());
        if (registered == null) {
          log.debug("{}: no handler for {}", id, Names.quote(event.name()));
          return;
        }
        event.handled();
        for (EventHandler handler : registered) {
          try {
            handler.handle(this, event);
          } catch (Exception e) {
            log.warn("handler for {} on {} failed", Names.quote(event.name()), this, e);
          }
        }
      } finally {
        afterHandlers.run();
      }
    });
  }

  /** A client's ack; false if its id was never issued (a protocol violation). */
  boolean acked(Packet.Ack packet) {
    if (!acks.issued(packet.id())) {
      return false;
    }
    acks.complete(packet.id(), new DefaultReply(packet.args(), mapper()));
    return true;
  }

  int pendingAcks() {
    return acks.pendingCount();
  }

  /** The channel is gone: leave every room, fail pending acks, then tell the application. Once. */
  void closed(DisconnectReason reason) {
    if (!connected.compareAndSet(true, false)) {
      return;
    }
    log.debug("{} disconnected: {}", this, reason.wireName());
    for (String room : memberships.keySet()) {
      namespace.removeMember(room, this);
    }
    memberships.clear();
    namespace.removeChannel(this);
    acks.failAll(id, reason);
    // Queued behind the handlers already accepted, so onDisconnect is the last thing the app sees.
    executor.execute(() -> disconnected.tryEmitValue(reason));
  }
}
