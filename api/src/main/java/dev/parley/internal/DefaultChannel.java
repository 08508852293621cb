package dev.parley.internal;

import dev.parley.Batching;
import dev.parley.Broadcast;
import dev.parley.Channel;
import dev.parley.EventHandler;
import dev.parley.Handshake;
import dev.parley.Message;
import dev.parley.Namespace;
import dev.parley.Replay;
import dev.parley.Reply;
import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.LimitExceededException;
import dev.parley.internal.outbound.AckRegistry;
import dev.parley.internal.recovery.ChannelRecovery;
import dev.parley.internal.recovery.Recovery;
import dev.parley.internal.recovery.RoomStart;
import dev.parley.internal.support.CopyOnWrite;
import dev.parley.internal.support.Handles;
import dev.parley.internal.support.SerialExecutor;
import dev.parley.protocol.Checks;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.JsonArguments;
import dev.parley.protocol.Names;
import dev.parley.protocol.Packet;
import dev.parley.spi.Outgoing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One client in one namespace. */
final class DefaultChannel implements Channel {
  private static final Logger log = LoggerFactory.getLogger(DefaultChannel.class);
  private static final VarHandle CONNECTED = Handles.field(MethodHandles.lookup(), "connected", boolean.class);
  private static final VarHandle ACKS_OWED = Handles.field(MethodHandles.lookup(), "acksOwed", int.class);
  private static final VarHandle ACKS = Handles.field(MethodHandles.lookup(), "acks", AckRegistry.class);
  private static final VarHandle DATA = Handles.field(MethodHandles.lookup(), "data", Map.class);
  private static final VarHandle DISCONNECTED =
      Handles.field(MethodHandles.lookup(), "disconnected", Sinks.One.class);
  private static final VarHandle HANDLERS = Handles.field(MethodHandles.lookup(), "handlers", Map.class);

  private final String id;
  private final DefaultNamespace namespace;
  private final DefaultSession session;
  private final Handshake handshake;
  private final SerialExecutor executor;
  // Per event, its handlers as an immutable list, in an immutable map replaced whole on each on() (through
  // HANDLERS): handlers are registered a few times, read on every event, and a concurrent map (or a
  // copy-on-write list per event) would add its table, nodes or lock to every channel.
  private volatile Map<String, List<EventHandler>> handlers = Map.of();
  // Most channels of a chat server sit idle: what only some of them use (acks they wait for, application
  // data, packets sent before the CONNECT answer) is allocated on first use, and flags and counters are
  // fields (through the handles below) rather than an atomic object each.
  private volatile @Nullable AckRegistry acks;
  private volatile @Nullable Map<String, Object> data;
  private volatile boolean connected = true;
  // Events received asking for an ack that has not been sent yet (for stats).
  private volatile int acksOwed;
  // Made by the first onDisconnect(); the reason is kept for a sink made after the channel closed.
  private volatile Sinks.@Nullable One<DisconnectReason> disconnected;
  private volatile @Nullable DisconnectReason disconnectReason;
  // Until the client has its CONNECT answer, packets for it wait here, in order; created by the first of them,
  // guarded by the session's monitor (not this channel's, which an application can see; the session's is held
  // only for moments), and nothing is sent while holding it.
  private @Nullable List<Outgoing> pending;
  private volatile boolean announced;
  // Null when the channel cannot be recovered.
  private final @Nullable ChannelRecovery recovery;
  // The room registry's entries of this channel (see RoomRegistry.Slot): kept here rather than in a map by channel.
  private volatile @Nullable Object roomEntries;

  /** Where the namespace's room registry keeps each channel's memberships: on the channel. */
  static final RoomRegistry.Slot<DefaultChannel> ROOMS = new RoomRegistry.Slot<>() {
    @Override
    public @Nullable Object get(DefaultChannel channel) {
      return channel.roomEntries;
    }

    @Override
    public void set(DefaultChannel channel, @Nullable Object entries) {
      channel.roomEntries = entries;
    }
  };

  DefaultChannel(String id, DefaultNamespace namespace, DefaultSession session, Handshake handshake,
                 SerialExecutor executor, @Nullable ChannelRecovery recovery) {
    this.id = id;
    this.namespace = namespace;
    this.session = session;
    this.handshake = handshake;
    this.executor = executor;
    this.recovery = recovery;
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
    return namespace.roomRegistry().rooms(this);
  }

  @Override
  public boolean connected() {
    return connected;
  }

  @Override
  public Map<String, Object> data() {
    Map<String, Object> map = data;
    if (map == null) {
      map = new ConcurrentHashMap<>();
      if (!DATA.compareAndSet(this, null, map)) {
        map = data;
      }
    }
    return map;
  }

  /** Whether nothing is queued for the client: what a droppable broadcast asks before sending. */
  boolean idle() {
    return announced && session.queued() == 0;
  }

  /** The channel's data if anything ever asked for it, without making it; null otherwise. */
  @Nullable Map<String, Object> dataIfAny() {
    return data;
  }

  @Override
  public boolean recovered() {
    return recovery != null && recovery.recovered();
  }

  @Override
  public Mono<Void> join(String room) {
    return join(room, Replay.none());
  }

  @Override
  public Mono<Void> join(String room, Replay replay) {
    return join(room, replay, Batching.each());
  }

  @Override
  public Mono<Void> join(String room, Replay replay, Batching batching) {
    Names.room(room);
    Objects.requireNonNull(replay, "replay");
    Objects.requireNonNull(batching, "batching");
    namespace.server().checkOpen();
    if (!connected()) {
      return Mono.empty();
    }
    boolean replaying = !(replay instanceof Replay.None);
    RoomStart start = recovery == null ? null
        : recovery.start(replay instanceof Replay.After after ? after.messageId() : null);
    Membership membership = new Membership(this, room, replaying, start,
        batching instanceof Batching.Arrays arrays ? arrays.event() : null,
        replay instanceof Replay.After after ? after.messageId() : null, inIdOrder(room));
    int max = namespace.server().config().maxRoomsPerChannel();
    RoomRegistry.Joined joined = namespace.roomRegistry().join(room, this, membership, id, max);
    if (joined == RoomRegistry.Joined.ALREADY_IN) {
      return Mono.empty();
    }
    if (joined == RoomRegistry.Joined.AT_LIMIT) {
      log.debug("{} is in {} rooms, the limit: cannot join {}", id, max, Names.quote(room));
      return Mono.error(new LimitExceededException("maxRoomsPerChannel", max));
    }
    if (!connected()) {
      // Closed meanwhile, and its close may have run before this join: leave as it would have.
      namespace.roomRegistry().leave(room, this);
      return Mono.empty();
    }
    log.debug("{} joined {}", id, Names.quote(room));
    if (start != null && replay instanceof Replay.None) {
      // Where the room stands now, for recovery: the channel is meant to get what is posted after it.
      namespace.lastId(room).subscribe(start::joinedAt,
          error -> log.debug("{}: the last id of {} is unknown", id, Names.quote(room), error));
    }
    if (!replaying) {
      return Mono.empty();
    }
    Mono<Void> replayed = namespace.replayInto(room, replay, membership);
    if (start != null && replay instanceof Replay.Last) {
      // A last-N replay that found nothing means an empty room: the channel is meant to get all of it.
      replayed.subscribe(null, error -> { }, () -> start.joinedAt(""));
    }
    return replayed;
  }

  private boolean inIdOrder(String room) {
    return namespace.server().store().feedInIdOrder(namespace.name(), room);
  }

  @Override
  public Mono<Void> leave(String room) {
    Names.room(room);
    if (room.equals(id)) {
      throw new IllegalArgumentException("a channel cannot leave the room of its own id: " + Names.quote(room));
    }
    if (namespace.roomRegistry().leave(room, this)) {
      log.debug("{} left {}", id, Names.quote(room));
    }
    return Mono.empty();
  }

  @Override
  public Channel on(String event, EventHandler handler) {
    Names.event(event);
    Objects.requireNonNull(handler, "handler");
    for (;;) {
      Map<String, List<EventHandler>> current = handlers;
      List<EventHandler> before = current.get(event);
      List<EventHandler> after = before == null ? List.of(handler) : concat(before, List.of(handler));
      if (HANDLERS.compareAndSet(this, current, CopyOnWrite.with(current, event, after))) {
        return this;
      }
    }
  }

  @Override
  public Mono<Void> emit(String event, Object... args) {
    Names.event(event);
    List<JsonNode> json = JsonArguments.toJson(mapper(), event, args);
    DefaultChatServer server = namespace.server();
    server.checkOpen();
    boolean sent = send(new Outgoing(new Packet.Event(namespace.name(), event, json, null, null,
        namespace.recoveryEnabled())));
    server.observers().eventSent(namespace.name(), sent ? 1 : 0);
    return Mono.empty();
  }

  @Override
  public Mono<Reply> emitWithAck(String event, Object... args) {
    return emitWithAck(namespace.server().config().ackTimeout(), event, args);
  }

  @Override
  public Mono<Reply> emitWithAck(Duration timeout, String event, Object... args) {
    Checks.positive("ack timeout", timeout);
    Names.event(event);
    List<JsonNode> json = JsonArguments.toJson(mapper(), event, args);
    DefaultChatServer server = namespace.server();
    server.checkOpen();
    Sinks.One<Reply> reply = Sinks.one();
    Mono<Reply> result = reply.asMono().publishOn(server.handlerScheduler());
    if (!connected()) {
      return Mono.error(new ChannelClosedException(id, DisconnectReason.TRANSPORT_CLOSE));
    }
    long ackId;
    try {
      ackId = acks().register(event, reply, timeout, server.scheduler());
    } catch (LimitExceededException e) {
      return Mono.error(e);
    }
    if (!connected()) {
      // Closed between the check above and the registration: closed() may have missed this ack.
      acks().failAll(id, DisconnectReason.TRANSPORT_CLOSE);
      return result;
    }
    Observers observers = server.observers();
    if (observers.any()) {
      timeRoundTrip(reply, observers);
    }
    boolean sent = send(new Outgoing(new Packet.Event(namespace.name(), event, json, ackId, null)));
    observers.eventSent(namespace.name(), sent ? 1 : 0);
    return result;
  }

  // Only when observed: a clock read and a subscription per emitWithAck. A failure other than the timeout
  // (the channel closed) is no round trip.
  private static void timeRoundTrip(Sinks.One<Reply> reply, Observers observers) {
    long start = System.nanoTime();
    reply.asMono().subscribe(
        answer -> observers.ackRoundTrip(System.nanoTime() - start, true),
        error -> {
          if (error instanceof AckTimeoutException) {
            observers.ackRoundTrip(System.nanoTime() - start, false);
          }
        });
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
    Sinks.One<DisconnectReason> sink = disconnected;
    if (sink == null) {
      Sinks.One<DisconnectReason> made = Sinks.one();
      sink = DISCONNECTED.compareAndSet(this, null, made) ? made : disconnected;
      // Written before the reason is read, and closed() writes the reason before it reads the sink: one of
      // the two at least sees the other's write, and a second emission is refused.
      DisconnectReason reason = disconnectReason;
      if (reason != null) {
        sink.tryEmitValue(reason);
      }
    }
    return sink.asMono();
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

  DefaultNamespace namespaceImpl() {
    return namespace;
  }

  /**
   * Joins the channel to its rooms, once, before it is announced: a recovered channel to the rooms it was in
   * (its own included), each replaying from where the client is, with its data back; a new one to the room
   * of its own id.
   */
  void enterRooms() {
    Recovery.Restored restored = recovery == null ? null : recovery.restored();
    if (restored == null) {
      joinOwnRoom();
      return;
    }
    Map<String, Object> restoredData = recovery.restoredData();
    if (!restoredData.isEmpty()) {
      data().putAll(restoredData);
    }
    for (Map.Entry<String, String> room : restored.replayAfter().entrySet()) {
      Membership membership = new Membership(this, room.getKey(), true, recovery.start(room.getValue()), null,
          room.getValue(), inIdOrder(room.getKey()));
      namespace.roomRegistry().add(membership);
      if (!connected()) {
        namespace.roomRegistry().leaveAll(this);
        return;
      }
      namespace.replayInto(room.getKey(), Replay.after(room.getValue()), membership);
    }
    if (!restored.replayAfter().containsKey(id)) {
      joinOwnRoom();
    }
  }

  private void joinOwnRoom() {
    // A new id's room has no history, so the channel has all of it from the start.
    namespace.roomRegistry().add(new Membership(this, id, false, recovery == null ? null : recovery.start(""), null,
        null, true));
  }

  /** The channel's connection state recovery, or null when it cannot be recovered. */
  @Nullable ChannelRecovery recovery() {
    return recovery;
  }

  /** Sends a posted message of one of the channel's rooms, recording it for recovery. */
  void sendPosted(Message message, Outgoing packet) {
    if (recovery == null) {
      send(packet);
    } else {
      recovery.journalled(message.room(), message.id(), this::connected, () -> send(packet));
    }
  }

  void sendPacket(Packet packet) {
    send(new Outgoing(packet));
  }

  /** Queues a packet for the client (behind the CONNECT answer if that is not sent yet); false if closed. */
  boolean send(Outgoing packet) {
    if (!connected()) {
      return false;
    }
    if (!announced) {
      synchronized (session) {
        if (!announced) {
          if (pending == null) {
            pending = new ArrayList<>();
          }
          pending.add(packet);
          return true;
        }
      }
    }
    session.send(packet);
    return true;
  }

  /**
   * Sends the CONNECT answer, then what was sent to the channel before it, in order; later sends go straight
   * out. Once, on the channel's executor.
   */
  void announce(Outgoing connectAnswer) {
    session.send(connectAnswer);
    while (true) {
      List<Outgoing> batch;
      synchronized (session) {
        if (pending == null || pending.isEmpty()) {
          announced = true;
          pending = null;
          return;
        }
        batch = List.copyOf(pending);
        pending.clear();
      }
      // Outside the lock: a send can close the channel (its outbox full), and closing saves it, which takes
      // the recovery lock that a journalled send holds while it waits for this one.
      batch.forEach(session::send);
    }
  }

  /**
   * An event from the client, past the connection's rate limit and inbound budget: queued behind the
   * channel's earlier handlers; {@code done} runs once they have returned (or the event was dropped).
   */
  void received(Packet.Event packet, Runnable done) {
    if (!connected()) {
      done.run();
      return;
    }
    if (packet.ackId() != null) {
      ACKS_OWED.getAndAdd(this, 1);
    }
    namespace.server().observers().eventReceived(namespace.name());
    dispatch(new DefaultEvent(packet.name(), packet.args(), packet.ackId(), this, mapper()), done);
  }

  /**
   * An event from a request/response transport, past the connection's rate limit: its handlers' ack completes
   * the returned {@code Mono}; it is empty when they return without acking (unless {@code awaitLateAck}) or
   * there is no handler.
   */
  Mono<List<JsonNode>> request(String name, List<JsonNode> args, boolean awaitLateAck) {
    if (!connected()) {
      return Mono.error(new ChannelClosedException(id, DisconnectReason.TRANSPORT_CLOSE));
    }
    Sinks.One<List<JsonNode>> reply = Sinks.one();
    ACKS_OWED.getAndAdd(this, 1);
    namespace.server().observers().eventReceived(namespace.name());
    DefaultEvent event = new DefaultEvent(name, args, reply, this, mapper());
    dispatch(event, () -> {
      if (!awaitLateAck || !event.hasHandlers()) {
        reply.tryEmitEmpty();
        event.settled();
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
          event.settled();
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
    AckRegistry registry = acks;
    if (registry == null || !registry.issued(packet.id())) {
      return false;
    }
    registry.complete(packet.id(), new DefaultReply(id, packet.args(), mapper()));
    return true;
  }

  int pendingAcks() {
    AckRegistry registry = acks;
    return registry == null ? 0 : registry.pendingCount();
  }

  /** Events from the client that asked for an ack the server has not sent yet. */
  int acksOwed() {
    return acksOwed;
  }

  /** One event that asked for an ack no longer waits for it: acked, or nobody will ack it. */
  void ackSettled() {
    ACKS_OWED.getAndAdd(this, -1);
  }

  /** The channel is gone: leave every room, fail pending acks, then tell the application. Once. */
  void closed(DisconnectReason reason) {
    if (!CONNECTED.compareAndSet(this, true, false)) {
      return;
    }
    log.debug("{} disconnected: {}", this, reason.wireName());
    if (savedOn(reason)) {
      save();
    }
    namespace.roomRegistry().leaveAll(this);
    namespace.removeChannel(this);
    // An ack registered after this read is failed by emitWithAck, which checks connected again.
    AckRegistry registry = acks;
    if (registry != null) {
      registry.failAll(id, reason);
    }
    // Queued behind the handlers already accepted, so onDisconnect is the last thing the app sees.
    executor.execute(() -> {
      disconnectReason = reason;
      Sinks.One<DisconnectReason> sink = disconnected;
      if (sink != null) {
        sink.tryEmitValue(reason);
      }
    });
  }

  /** Whether closing for this reason saves the channel for its client to recover. */
  boolean savedOn(DisconnectReason reason) {
    return recovery != null && ChannelRecovery.keepsChannel(reason);
  }

  // Called once connected is false, before the channel leaves its rooms: nothing is sent after the snapshot.
  private void save() {
    Map<String, @Nullable RoomStart> starts = new LinkedHashMap<>();
    namespace.roomRegistry().memberships(this).forEach((room, membership) -> starts.put(room, membership.start()));
    Map<String, Object> saved = data;
    recovery.save(id, starts, saved == null ? Map.of() : saved);
  }

  private static List<EventHandler> concat(List<EventHandler> first, List<EventHandler> then) {
    List<EventHandler> all = new ArrayList<>(first.size() + then.size());
    all.addAll(first);
    all.addAll(then);
    return List.copyOf(all);
  }

  private AckRegistry acks() {
    AckRegistry registry = acks;
    if (registry == null) {
      registry = new AckRegistry(namespace.server().config().maxPendingAcks());
      if (!ACKS.compareAndSet(this, null, registry)) {
        registry = acks;
      }
    }
    return registry;
  }
}
