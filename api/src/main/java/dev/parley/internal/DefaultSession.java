package dev.parley.internal;

import dev.parley.DisconnectReason;
import dev.parley.spi.Admission;
import dev.parley.spi.Connection;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Packet;
import dev.parley.spi.Session;
import java.util.Collection;
import java.util.List;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One client connection: its channels (one per namespace), its outbox, its handshakes in order. */
final class DefaultSession implements Session {
  private static final Logger log = LoggerFactory.getLogger(DefaultSession.class);

  private final String id = Ids.next();
  private final DefaultChatServer server;
  private final Connection connection;
  private final ConnectionInfo info;
  private final Outbox outbox;
  private final SerialExecutor handshakes;
  private final Map<String, DefaultChannel> channels = new ConcurrentHashMap<>();
  private final Set<String> connecting = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  // The connection's place in its address's limit, released when the session ends; null if not counted.
  private volatile @Nullable Admission admission;
  // Closes the connection if no namespace is joined in time; cancelled by the first channel.
  private volatile @Nullable Disposable connectDeadline;

  DefaultSession(DefaultChatServer server, Connection connection, ConnectionInfo info) {
    this.server = server;
    this.connection = connection;
    this.info = info;
    this.outbox = new Outbox(connection, server.flushExecutor(), server.config().outboundBufferSize(),
        () -> disconnect(DisconnectReason.SLOW_CONSUMER),
        error -> closed(DisconnectReason.TRANSPORT_ERROR));
    this.handshakes = new SerialExecutor(server.handlerExecutor());
  }

  @Override
  public String id() {
    return id;
  }

  ConnectionInfo info() {
    return info;
  }

  /** Whether the client can resume channels by connection state recovery (see {@link Connection#recoverable()}). */
  boolean recoverable() {
    return connection.recoverable();
  }

  DefaultChatServer server() {
    return server;
  }

  Collection<DefaultChannel> channels() {
    return channels.values();
  }

  boolean isClosed() {
    return closed.get();
  }

  int queued() {
    return outbox.size();
  }

  @Override
  public void receive(Packet packet) {
    if (closed.get()) {
      return;
    }
    if (packet instanceof Packet.Connect connect) {
      onConnect(connect);
    } else if (packet instanceof Packet.Event event) {
      DefaultChannel channel = channels.get(event.namespace());
      if (channel == null) {
        log.debug("session {}: event for namespace {} it has not joined; dropped", id, Names.quote(event.namespace()));
      } else if (!Names.isValidInboundEvent(event.name()) || Names.RESERVED_EVENTS.contains(event.name())) {
        log.debug("session {}: invalid event name {}; dropped", id, Names.quote(event.name()));
      } else {
        channel.received(event);
      }
    } else if (packet instanceof Packet.Ack ack) {
      DefaultChannel channel = channels.get(ack.namespace());
      if (channel != null && !channel.acked(ack)) {
        log.debug("session {}: ack id {} was never issued; closing", id, ack.id());
        disconnect(DisconnectReason.PARSE_ERROR);
      }
    } else if (packet instanceof Packet.Disconnect disconnect) {
      DefaultChannel channel = channels.remove(disconnect.namespace());
      if (channel != null) {
        channel.closed(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
      }
    } else {
      log.debug("session {}: a client may not send {}; closing", id, packet.getClass().getSimpleName());
      disconnect(DisconnectReason.PARSE_ERROR);
    }
  }

  private void onConnect(Packet.Connect connect) {
    String name = connect.namespace();
    DefaultNamespace namespace = server.existingNamespace(name);
    if (namespace == null) {
      send(new Outgoing(new Packet.ConnectError(name, "Invalid namespace", null)));
      return;
    }
    if (channels.containsKey(name) || !connecting.add(name)) {
      log.debug("session {}: already connected to {}; ignored", id, Names.quote(name));
      return;
    }
    // Handshakes of one session run in order, on the handler executor: middleware may block.
    handshakes.execute(() -> {
      try {
        namespace.handshake(this, connect);
      } finally {
        connecting.remove(name);
      }
    });
  }

  @Override
  public Mono<List<JsonNode>> request(String namespace, String event, List<JsonNode> args, boolean awaitLateAck) {
    DefaultChannel channel = channels.get(namespace);
    if (closed.get() || channel == null) {
      return Mono.error(new dev.parley.error.ChannelClosedException(id, DisconnectReason.TRANSPORT_CLOSE));
    }
    if (!Names.isValidInboundEvent(event) || Names.RESERVED_EVENTS.contains(event)) {
      return Mono.error(new IllegalArgumentException("invalid event name: " + Names.quote(event)));
    }
    return channel.request(event, args, awaitLateAck);
  }

  /** Registers a channel that passed its handshake; false if the session closed meanwhile. */
  boolean attach(DefaultChannel channel) {
    channels.put(channel.namespace().name(), channel);
    if (closed.get()) {
      channels.remove(channel.namespace().name());
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
    if (channels.remove(channel.namespace().name(), channel)) {
      // Through the channel, so it cannot overtake a CONNECT answer still being sent.
      channel.sendPacket(new Packet.Disconnect(channel.namespace().name()));
      channel.closed(reason);
    }
  }

  /** Tells every channel the server is going away, then closes once that is written. */
  void shutdown() {
    // Channels learn the reason first: a transport that reports its close while the DISCONNECT packets
    // are still being written must not be able to replace it.
    List<String> namespaces = new java.util.ArrayList<>();
    for (DefaultChannel channel : channels.values()) {
      if (channels.remove(channel.namespace().name(), channel)) {
        // A recoverable channel is not told to leave: a client told so would not come back to recover it,
        // whereas the closing connection makes it reconnect (to this server restarted, or another node).
        if (channel.privateId() == null) {
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

  @Override
  public void closed(DisconnectReason reason) {
    end(reason);
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
    if (channels.isEmpty() && !closed.get()) {
      log.debug("session {}: no namespace joined within {} ms; closing", id,
          server.config().connectTimeout().toMillis());
      disconnect(DisconnectReason.FORCED_SERVER_CLOSE);
    }
  }

  private void cancelConnectDeadline() {
    Disposable deadline = connectDeadline;
    if (deadline != null) {
      deadline.dispose();
    }
  }

  private boolean end(DisconnectReason reason) {
    if (!closed.compareAndSet(false, true)) {
      return false;
    }
    log.debug("session {} closed: {}", id, reason.wireName());
    cancelConnectDeadline();
    Admission held = admission;
    if (held != null) {
      held.release();
    }
    outbox.discard();
    for (DefaultChannel channel : channels.values()) {
      channel.closed(reason);
    }
    channels.clear();
    server.removeSession(this);
    return true;
  }
}
