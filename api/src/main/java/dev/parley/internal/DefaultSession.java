package dev.parley.internal;

import dev.parley.ChatServerConfig;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.LimitExceededException;
import dev.parley.internal.outbound.Outbox;
import dev.parley.internal.support.CopyOnWrite;
import dev.parley.internal.support.Handles;
import dev.parley.internal.support.Ids;
import dev.parley.internal.support.SerialExecutor;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Names;
import dev.parley.protocol.Packet;
import dev.parley.protocol.Refusal;
import dev.parley.protocol.support.Roster;
import dev.parley.spi.Admission;
import dev.parley.spi.Connection;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Inbound;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Session;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * One client connection: its channels (one per namespace), its outbox, and the serial executor on which its
 * handshakes and its channels' handlers run, one at a time. As a {@link Roster.Member} it keeps its own place among
 * the server's open sessions ({@link Sessions}, under whose lock).
 */
final class DefaultSession extends Roster.Member<DefaultSession> implements Session, Outbox.Owner {
  private static final Logger log = LoggerFactory.getLogger(DefaultSession.class);
  private static final VarHandle CLOSED = Handles.field(MethodHandles.lookup(), "closed", boolean.class);
  private static final VarHandle INBOUND_BYTES = Handles.field(MethodHandles.lookup(), "inboundBytes", long.class);
  private static final VarHandle CHANNELS = Handles.field(MethodHandles.lookup(), "channels", Object.class);

  private final String id = Ids.next();
  private final DefaultChatServer server;
  private final Connection connection;
  private final ConnectionInfo info;
  private final Outbox outbox;
  // The event rate limit of the whole connection (every namespace, CONNECTs included): a bucket of
  // maxEventBurst tokens refilled at maxEventsPerSecond, each event taking one; guarded by this. Two fields
  // here rather than a bucket object per connection.
  private double eventTokens;
  private long eventsCountedAt;
  // Bytes of admitted frames not yet handled; the node's total is the server's.
  private volatile long inboundBytes;
  // The connection's handshakes, in order, and the handlers of its channels in every namespace, one at a time (as
  // on Node, where one connection's events never overlap): one executor per connection, not one per channel too.
  private final SerialExecutor executor;
  // By namespace name, copy-on-write (through CHANNELS): read on every packet, written on a join or a leave.
  // Most sessions are in one namespace, whose channel is kept itself: null for none, a DefaultChannel for one, a
  // map only for two or more (even a one-entry map would cost every connection 32 bytes).
  private volatile @Nullable Object channels;
  private volatile boolean closed;
  // The reason the engine gave for closing the connection while it is still writing the last packets: a
  // transport that reports its close meanwhile ends the session with this one, not its own (Session.closed).
  private volatile @Nullable DisconnectReason closing;
  // The connection's place in its address's limit, released when the session ends; null if not counted.
  private volatile @Nullable Admission admission;
  // Closes the connection if no namespace is joined in time; cancelled by the first channel.
  private volatile @Nullable Disposable connectDeadline;

  DefaultSession(DefaultChatServer server, Connection connection, ConnectionInfo info) {
    this.server = server;
    this.connection = connection;
    this.info = info;
    ChatServerConfig config = server.config();
    this.outbox = new Outbox(connection, server.outboxLimits(), this);
    this.executor = new SerialExecutor(server.handlerExecutor());
    this.eventTokens = config.maxEventBurst();
    this.eventsCountedAt = now();
  }

  @Override
  public String id() {
    return id;
  }

  ConnectionInfo info() {
    return info;
  }

  /** Where the connection's handshakes and its channels' handlers run, one at a time, in order. */
  SerialExecutor executor() {
    return executor;
  }

  /** Whether the client can resume channels by connection state recovery (see {@link Connection#recoverable()}). */
  boolean recoverable() {
    return connection.recoverable();
  }

  /** A snapshot of the session's channels. */
  List<DefaultChannel> channels() {
    Object held = channels;
    if (held == null) {
      return List.of();
    }
    return held instanceof DefaultChannel only ? List.of(only) : List.copyOf(asMap(held).values());
  }

  // The session's channel in a namespace, or null.
  private @Nullable DefaultChannel channel(String namespace) {
    Object held = channels;
    if (held instanceof DefaultChannel only) {
      return only.namespace().name().equals(namespace) ? only : null;
    }
    return held == null ? null : asMap(held).get(namespace);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, DefaultChannel> asMap(@Nullable Object held) {
    if (held == null) {
      return Map.of();
    }
    if (held instanceof DefaultChannel only) {
      return Map.of(only.namespace().name(), only);
    }
    return (Map<String, DefaultChannel>) held;
  }

  private static @Nullable Object compact(Map<String, DefaultChannel> map) {
    if (map.size() > 1) {
      return map;
    }
    return map.isEmpty() ? null : map.values().iterator().next();
  }

  boolean isClosed() {
    return closed;
  }

  int queued() {
    return outbox.size();
  }

  long queuedBytes() {
    return outbox.bytes();
  }

  long inboundBytes() {
    return inboundBytes;
  }

  private long addInbound(long delta) {
    return (long) INBOUND_BYTES.getAndAdd(this, delta) + delta;
  }

  @Override
  public Inbound admit(String namespace, boolean connect, @Nullable Long ackId, long cost) {
    ChatServerConfig config = server.config();
    if (closed) {
      return Frame.refused(Inbound.Refusal.BUSY);
    }
    if (cost > config.maxInboundBytes()) {
      log.debug("session {}: a frame of {} bytes once parsed, over the {} allowed; refused", id, cost,
          config.maxInboundBytes());
      return Frame.refused(Inbound.Refusal.TOO_LARGE);
    }
    if (!takeEvent(namespace)) {
      refuse(namespace, connect, ackId, "rate limited");
      return Frame.refused(Inbound.Refusal.RATE_LIMITED);
    }
    if (addInbound(cost) > config.maxInboundBytes()
        | server.inboundBytes().addAndGet(cost) > config.nodeInboundBytes()) {
      addInbound(-cost);
      server.inboundBytes().addAndGet(-cost);
      log.debug("session {}: no room for a frame of {} bytes ({} in flight here); refused", id, cost,
          inboundBytes);
      server.countBusy(namespace);
      refuse(namespace, connect, ackId, "server busy");
      return Frame.refused(Inbound.Refusal.BUSY);
    }
    return new Frame(this, cost);
  }

  @Override
  public Inbound hold() {
    return closed ? Frame.refused(Inbound.Refusal.BUSY) : new Frame(this, 0);
  }

  // Whether the rate limit lets one more event or CONNECT through; over it, counted and, if so configured,
  // the channel of that namespace is disconnected.
  private boolean takeEvent(String namespace) {
    if (tryTakeEvent(now())) {
      return true;
    }
    server.countRateLimited(namespace);
    DefaultChannel channel = channel(namespace);
    if (server.config().disconnectOnRateLimit() && channel != null) {
      log.debug("{}: over {} events/s; disconnecting", channel, server.config().maxEventsPerSecond());
      disconnectChannel(channel, DisconnectReason.RATE_LIMITED);
    } else {
      log.debug("session {}: over {} events/s; an event for {} refused", id,
          server.config().maxEventsPerSecond(), Names.quote(namespace));
    }
    return false;
  }

  private synchronized boolean tryTakeEvent(long nowNanos) {
    long elapsed = nowNanos - eventsCountedAt;
    ChatServerConfig config = server.config();
    if (elapsed > 0) {
      eventTokens = Math.min(config.maxEventBurst(), eventTokens + elapsed * (config.maxEventsPerSecond() / 1e9));
      eventsCountedAt = nowNanos;
    }
    if (eventTokens >= 1) {
      eventTokens -= 1;
      return true;
    }
    return false;
  }

  // The answer to a refused frame that asked for one: an error ack in a namespace the client is in, a
  // CONNECT_ERROR for a namespace that exists (never an arbitrary name echoed back).
  private void refuse(String namespace, boolean connect, @Nullable Long ackId, String error) {
    if (connect) {
      if (server.existingNamespace(namespace) != null) {
        send(new Outgoing(new Packet.ConnectError(namespace, Refusal.LIMIT, error, null)));
      }
    } else if (ackId != null) {
      DefaultChannel channel = channel(namespace);
      if (channel != null && channel.connected()) {
        channel.sendPacket(new Packet.Ack(namespace, ackId,
            List.of(JsonNodeFactory.instance.objectNode().put("error", error))));
      }
    }
  }

  private long now() {
    return server.scheduler().now(TimeUnit.NANOSECONDS);
  }

  @Override
  public void receive(Packet packet, @Nullable Inbound admitted) {
    Frame frame = admitted == null ? null : (Frame) admitted;
    if (frame == null && (packet instanceof Packet.Event || packet instanceof Packet.Connect)) {
      // Not admitted by the transport: the rate limit applies here.
      if (!takeEvent(packet.namespace())) {
        if (packet instanceof Packet.Event event) {
          refuse(event.namespace(), false, event.ackId(), "rate limited");
        } else {
          refuse(packet.namespace(), true, null, "rate limited");
        }
        return;
      }
    }
    Runnable done = frame == null ? () -> { } : frame::cancel;
    if (closed) {
      done.run();
      return;
    }
    try {
      dispatch(packet, done);
    } catch (RuntimeException e) {
      done.run();
      throw e;
    }
  }

  private void dispatch(Packet packet, Runnable done) {
    if (packet instanceof Packet.Connect connect) {
      onConnect(connect, done);
    } else if (packet instanceof Packet.Event event) {
      DefaultChannel channel = channel(event.namespace());
      if (channel == null) {
        log.debug("session {}: event for namespace {} it has not joined; dropped", id, Names.quote(event.namespace()));
        done.run();
      } else if (!Names.isValidInboundEvent(event.name()) || Names.RESERVED_EVENTS.contains(event.name())) {
        log.debug("session {}: invalid event name {}; dropped", id, Names.quote(event.name()));
        done.run();
      } else {
        channel.received(event, done);
      }
    } else if (packet instanceof Packet.Ack ack) {
      done.run();
      DefaultChannel channel = channel(ack.namespace());
      if (channel != null && !channel.acked(ack)) {
        log.debug("session {}: ack id {} was never issued; closing", id, ack.id());
        disconnect(DisconnectReason.PARSE_ERROR);
      }
    } else if (packet instanceof Packet.Disconnect disconnect) {
      done.run();
      DefaultChannel channel = removeChannel(disconnect.namespace(), null);
      if (channel != null) {
        channel.closed(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
      }
    } else {
      done.run();
      log.debug("session {}: a client may not send {}; closing", id, packet.getClass().getSimpleName());
      disconnect(DisconnectReason.PARSE_ERROR);
    }
  }

  @Override
  public boolean acknowledge(Packet.Ack ack) {
    DefaultChannel channel = channel(ack.namespace());
    return !closed && channel != null && channel.acked(ack);
  }

  @Override
  public boolean sendControl(String frame) {
    return outbox.offer(new Outgoing(new Packet.Control(frame)));
  }

  private void onConnect(Packet.Connect connect, Runnable done) {
    String name = connect.namespace();
    DefaultNamespace namespace = server.existingNamespace(name);
    if (namespace == null) {
      done.run();
      // The name goes back to the client so it can tell which CONNECT failed: only a well-formed one, so a
      // client cannot have its own text of any size reflected.
      if (Names.isValidNamespace(name)) {
        send(new Outgoing(new Packet.ConnectError(name, Refusal.INVALID_NAMESPACE, "Invalid namespace", null)));
      } else {
        log.debug("session {}: CONNECT to a malformed namespace {}; closing", id, Names.quote(name));
        disconnect(DisconnectReason.PARSE_ERROR);
      }
      return;
    }
    if (connect.data() != null && new Outgoing(connect).estimatedSize() > server.config().maxAuthBytes()) {
      done.run();
      log.debug("session {}: auth payload for {} over {} bytes; refused", id, Names.quote(name),
          server.config().maxAuthBytes());
      send(new Outgoing(new Packet.ConnectError(name, Refusal.LIMIT, "auth payload too large", null)));
      return;
    }
    // Handshakes of one session run in order, on the handler executor: middleware may block. Whether the
    // client is already in the namespace is asked when its turn comes, once the CONNECTs before it are done:
    // a client that leaves and joins again the moment it is answered must get its second answer.
    executor.execute(() -> {
      try {
        if (channel(name) != null) {
          log.debug("session {}: already connected to {}; ignored", id, Names.quote(name));
        } else {
          namespace.handshake(this, connect);
        }
      } finally {
        done.run();
      }
    });
  }

  @Override
  public Mono<List<JsonNode>> request(String namespace, String event, List<JsonNode> args, boolean awaitLateAck) {
    return request(namespace, event, args, awaitLateAck, null);
  }

  @Override
  public Mono<List<JsonNode>> request(String namespace, String event, List<JsonNode> args, boolean awaitLateAck,
                                      @Nullable Inbound admitted) {
    Frame frame = admitted == null ? null : (Frame) admitted;
    DefaultChannel channel = channel(namespace);
    if (closed || channel == null) {
      release(frame);
      return Mono.error(new ChannelClosedException(id, DisconnectReason.TRANSPORT_CLOSE));
    }
    if (!Names.isValidInboundEvent(event) || Names.RESERVED_EVENTS.contains(event)) {
      release(frame);
      return Mono.error(new IllegalArgumentException("invalid event name: " + Names.quote(event)));
    }
    if (frame == null && !takeEvent(namespace)) {
      return Mono.error(new LimitExceededException("maxEventsPerSecond", server.config().maxEventsPerSecond()));
    }
    Mono<List<JsonNode>> reply = channel.request(event, args, awaitLateAck);
    return frame == null ? reply : reply.doFinally(signal -> frame.cancel());
  }

  private static void release(@Nullable Frame frame) {
    if (frame != null) {
      frame.cancel();
    }
  }

  /** Registers a channel that passed its handshake; false if the session closed meanwhile. */
  boolean attach(DefaultChannel channel) {
    String name = channel.namespace().name();
    updateChannels(current -> CopyOnWrite.with(current, name, channel));
    if (closed) {
      removeChannel(name, null);
      return false;
    }
    cancelConnectDeadline();
    return true;
  }

  void send(Outgoing packet) {
    outbox.offer(packet);
  }

  /** Removes one channel from the namespace, telling the client. */
  void disconnectChannel(DefaultChannel channel, DisconnectReason reason) {
    if (removeChannel(channel.namespace().name(), channel) == channel) {
      // Through the channel, so it cannot overtake a CONNECT answer still being sent.
      channel.sendPacket(new Packet.Disconnect(channel.namespace().name()));
      channel.closed(reason);
    }
  }

  /** Tells every channel the server is going away, then closes once that is written. */
  void shutdown() {
    closing = DisconnectReason.SERVER_SHUTTING_DOWN;
    // Channels learn the reason first: a transport that reports its close while the DISCONNECT packets
    // are still being written must not be able to replace it.
    List<String> namespaces = new ArrayList<>();
    for (DefaultChannel channel : channels()) {
      if (removeChannel(channel.namespace().name(), channel) == channel) {
        // A recoverable channel is not told to leave: a client told so would not come back to recover it,
        // whereas the closing connection makes it reconnect (to this server restarted, or another node).
        if (!channel.savedOn(DisconnectReason.SERVER_SHUTTING_DOWN)) {
          namespaces.add(channel.namespace().name());
        }
        channel.closed(DisconnectReason.SERVER_SHUTTING_DOWN);
      }
    }
    for (String namespace : namespaces) {
      send(new Outgoing(new Packet.Disconnect(namespace)));
    }
    outbox.closeWhenFlushed(DisconnectReason.SERVER_SHUTTING_DOWN);
  }

  /** Closes the connection now, dropping what is queued. */
  void disconnect(DisconnectReason reason) {
    if (end(reason)) {
      connection.close(reason);
    }
  }

  // The outbox is full and the client is not reading.
  @Override
  public void outboxOverflowed() {
    if (end(DisconnectReason.SLOW_CONSUMER)) {
      connection.close(DisconnectReason.SLOW_CONSUMER);
      server.observers().slowConsumerDisconnected(info.transport());
    }
  }

  @Override
  public void outboxFailed(Throwable error) {
    disconnect(DisconnectReason.TRANSPORT_ERROR);
  }

  @Override
  public void closed(DisconnectReason reason) {
    DisconnectReason given = closing;
    end(given != null ? given : reason);
  }

  /**
   * Takes over the connection's admission (released when the session ends) and starts the connect
   * deadline; called once, by the server, before the transport has the session.
   */
  void opened(@Nullable Admission admission) {
    this.admission = admission;
    long timeout = server.config().connectTimeout().toMillis();
    try {
      connectDeadline = server.scheduler().schedule(this::connectTimedOut, timeout, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // The timer is gone because the server is stopping; it closes this session itself.
      log.debug("session {}: no connect deadline, the server is stopping", id);
    }
  }

  private void connectTimedOut() {
    if (channels == null && !closed) {
      log.debug("session {}: no namespace joined within {} ms; closing", id,
          server.config().connectTimeout().toMillis());
      disconnect(DisconnectReason.FORCED_SERVER_CLOSE);
    }
  }

  // The reference is dropped too: the scheduler forgets a cancelled task, but the field would keep its
  // wrappers (about 100 bytes) for the life of every connected session.
  private void cancelConnectDeadline() {
    Disposable deadline = connectDeadline;
    if (deadline != null) {
      connectDeadline = null;
      deadline.dispose();
    }
  }

  // Replaces the channels with change(current), again if another write came in between; returns the map
  // replaced.
  private Map<String, DefaultChannel> updateChannels(UnaryOperator<Map<String, DefaultChannel>> change) {
    for (;;) {
      Object current = channels;
      Map<String, DefaultChannel> before = asMap(current);
      Map<String, DefaultChannel> after = change.apply(before);
      if (after == before || CHANNELS.compareAndSet(this, current, compact(after))) {
        return before;
      }
    }
  }

  // Removes the channel of a namespace (only if it is expected, when given); returns the one removed, or null.
  private @Nullable DefaultChannel removeChannel(String namespace, @Nullable DefaultChannel expected) {
    DefaultChannel removed = updateChannels(current -> CopyOnWrite.without(current, namespace, expected))
        .get(namespace);
    return expected == null || removed == expected ? removed : null;
  }

  private boolean end(DisconnectReason reason) {
    if (!CLOSED.compareAndSet(this, false, true)) {
      return false;
    }
    log.debug("session {} closed: {}", id, reason.wireName());
    cancelConnectDeadline();
    Admission held = admission;
    if (held != null) {
      held.release();
    }
    outbox.discard();
    server.inboundBytes().addAndGet(-(long) INBOUND_BYTES.getAndSet(this, 0L));
    // closed is set: an attach() from now on takes its channel out again itself.
    Map<String, DefaultChannel> ended = asMap(CHANNELS.getAndSet(this, null));
    for (DefaultChannel channel : ended.values()) {
      channel.closed(reason);
    }
    server.removeSession(this);
    server.observers().connectionClosed(info.transport(), reason.wireName());
    return true;
  }

  /**
   * An admitted frame's share of the inbound budget, given back once, when the packet has been handled or
   * the frame is dropped. A frame still pending when its session ends was given back with the session's
   * whole count, so giving it back then does nothing.
   */
  static final class Frame implements Inbound {
    private final @Nullable DefaultSession session;
    private final @Nullable Refusal refusal;
    private final AtomicLong bytes;
    private volatile boolean cancelled;

    private Frame(@Nullable DefaultSession session, long cost, @Nullable Refusal refusal) {
      this.session = session;
      this.bytes = new AtomicLong(cost);
      this.refusal = refusal;
    }

    Frame(DefaultSession session, long cost) {
      this(session, cost, null);
    }

    static Frame refused(Refusal refusal) {
      return new Frame(null, 0, refusal);
    }

    @Override
    public @Nullable Refusal refusal() {
      return refusal;
    }

    @Override
    public boolean grow(long more) {
      DefaultSession owner = session;
      if (owner == null || more < 0 || cancelled || owner.isClosed()) {
        cancel();
        return false;
      }
      ChatServerConfig config = owner.server.config();
      bytes.addAndGet(more);
      boolean fits = owner.addInbound(more) <= config.maxInboundBytes()
          & owner.server.inboundBytes().addAndGet(more) <= config.nodeInboundBytes();
      if (!fits) {
        cancel();
      }
      return fits;
    }

    @Override
    public void cancel() {
      cancelled = true;
      DefaultSession owner = session;
      long given = bytes.getAndSet(0);
      if (owner == null || given == 0) {
        return;
      }
      // Take from the session no more than it still counts (its end gave everything back at once).
      for (;;) {
        long current = owner.inboundBytes;
        long taken = Math.min(current, given);
        if (INBOUND_BYTES.compareAndSet(owner, current, current - taken)) {
          owner.server.inboundBytes().addAndGet(-taken);
          return;
        }
      }
    }
  }
}
