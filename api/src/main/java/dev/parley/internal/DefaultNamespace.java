package dev.parley.internal;

import dev.parley.Broadcast;
import dev.parley.Channel;
import dev.parley.ConnectionHandler;
import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.Middleware;
import dev.parley.Namespace;
import dev.parley.Replay;
import dev.parley.Reply;
import dev.parley.ServerEventHandler;
import dev.parley.internal.support.SerialExecutor;
import dev.parley.protocol.Names;
import dev.parley.protocol.Packet;
import dev.parley.spi.Outgoing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A namespace: its channels on this node, their rooms, and what is delivered to them; admission is {@link Admitter}'s. */
final class DefaultNamespace implements Namespace {
  private static final Logger log = LoggerFactory.getLogger(DefaultNamespace.class);

  private final String name;
  private final DefaultChatServer server;
  private final Admitter admitter;
  private final Map<String, DefaultChannel> channels = new ConcurrentHashMap<>();
  private final RoomRegistry<DefaultChannel, Membership> rooms = new RoomRegistry<>(DefaultChannel.ROOMS);
  private final DefaultBroadcast everyone;
  private volatile boolean recovery = true;
  private boolean presenceTracked;
  private volatile Map<String, List<ServerEventHandler>> serverHandlers = Map.of();
  // Server events run one at a time, in arrival order; made at the first, once the handler executor exists.
  private volatile @Nullable SerialExecutor serverEvents;

  DefaultNamespace(String name, DefaultChatServer server) {
    this.name = name;
    this.server = server;
    this.everyone = new DefaultBroadcast(this, Set.of(), Set.of(), false);
    this.admitter = new Admitter(this);
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
    admitter.use(middleware);
    return this;
  }

  @Override
  public Namespace onConnection(ConnectionHandler handler) {
    admitter.onConnection(handler);
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

  @Override
  public DefaultBroadcast broadcast() {
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
  public synchronized Namespace trackPresence() {
    if (!presenceTracked) {
      presenceTracked = true;
      server.presences().track(this);
    }
    return this;
  }

  @Override
  public Namespace onServerEvent(String event, ServerEventHandler handler) {
    Names.event(event);
    Objects.requireNonNull(handler, "handler");
    synchronized (this) {
      Map<String, List<ServerEventHandler>> next = new HashMap<>(serverHandlers);
      List<ServerEventHandler> list = new ArrayList<>(next.getOrDefault(event, List.of()));
      list.add(handler);
      next.put(event, List.copyOf(list));
      serverHandlers = Map.copyOf(next);
    }
    return this;
  }

  @Override
  public Mono<Void> serverSideEmit(String event, Object... args) {
    return server.clusterOperations().serverSideEmit(this, event, args);
  }

  @Override
  public Mono<List<Reply>> serverSideEmitWithAck(Duration timeout, String event, Object... args) {
    return server.clusterOperations().serverSideEmitWithAck(this, timeout, event, args);
  }

  boolean handlesServerEvent(String event) {
    return serverHandlers.containsKey(event);
  }

  /** Runs the event's handlers on the handler executor, behind the server events before it. */
  void serverEvent(DefaultServerEvent event) {
    List<ServerEventHandler> handlers = serverHandlers.getOrDefault(event.name(), List.of());
    serverEventExecutor().execute(() -> {
      for (ServerEventHandler handler : handlers) {
        try {
          handler.handle(event);
        } catch (Exception e) {
          log.warn("server event handler for {} in {} failed", Names.quote(event.name()), name, e);
        }
      }
    });
  }

  private SerialExecutor serverEventExecutor() {
    SerialExecutor executor = serverEvents;
    if (executor == null) {
      synchronized (this) {
        executor = serverEvents;
        if (executor == null) {
          executor = new SerialExecutor(server.handlerExecutor());
          serverEvents = executor;
        }
      }
    }
    return executor;
  }

  /** This node's channels a broadcast to {@code targets} except {@code except} selects; a snapshot. */
  List<DefaultChannel> select(Set<String> targets, Set<String> except) {
    Set<DefaultChannel> excluded = rooms.membersOfAnyCopy(except);
    Collection<DefaultChannel> candidates = targets.isEmpty() ? channels.values() : rooms.membersOfAny(targets);
    List<DefaultChannel> selected = new ArrayList<>();
    for (DefaultChannel channel : candidates) {
      if (!excluded.contains(channel) && channel.connected()) {
        selected.add(channel);
      }
    }
    return selected;
  }

  @Override
  public Optional<Channel> channel(String id) {
    return Optional.ofNullable(channels.get(id));
  }

  @Override
  public String toString() {
    return "Namespace[" + name + "]";
  }

  // ---- channels ----

  /** Lets a client in, on the handler executor, in the session's order; see {@link Admitter}. */
  void handshake(DefaultSession session, Packet.Connect connect) {
    admitter.admit(session, connect);
  }

  /** Makes an admitted channel reachable by id and by broadcasts to everyone. */
  void register(DefaultChannel channel) {
    channels.put(channel.id(), channel);
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
        // A channel that closed (a slow consumer cut off by its own replay) stops the reading.
        .takeWhile(message -> membership.channelConnected())
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

  /**
   * Queues one shared packet for every local channel the targeting selects.
   *
   * @return the channels it was queued for
   */
  int deliverLocal(Set<String> targets, Set<String> except, Outgoing packet) {
    return deliverLocal(targets, except, packet, false);
  }

  /** As {@link #deliverLocal(Set, Set, Outgoing)}; {@code droppable} skips channels with anything queued. */
  int deliverLocal(Set<String> targets, Set<String> except, Outgoing packet, boolean droppable) {
    Set<DefaultChannel> excluded = rooms.membersOfAnyCopy(except);
    Collection<DefaultChannel> recipients = targets.isEmpty() ? channels.values() : rooms.membersOfAny(targets);
    int delivered = 0;
    for (DefaultChannel channel : recipients) {
      if (!excluded.contains(channel) && (!droppable || channel.idle()) && channel.send(packet)) {
        delivered++;
      }
    }
    return delivered;
  }
}
