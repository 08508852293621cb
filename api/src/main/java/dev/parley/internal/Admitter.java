package dev.parley.internal;

import dev.parley.ConnectionHandler;
import dev.parley.Handshake;
import dev.parley.Middleware;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.internal.recovery.ChannelRecovery;
import dev.parley.internal.recovery.Recovery;
import dev.parley.internal.support.Ids;
import dev.parley.internal.support.SerialExecutor;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.LogSafe;
import dev.parley.protocol.Packet;
import dev.parley.protocol.Refusal;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Outgoing;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Lets clients into one namespace: a CONNECT runs the middleware, then takes back the channel the client
 * names by connection state recovery, registers the channel, runs the connection handlers and only then
 * answers; it undoes its own work if the channel closed meanwhile. Handlers are added from any thread;
 * admissions run on the handler executor, in each session's order.
 */
final class Admitter {
  private static final Logger log = LoggerFactory.getLogger(Admitter.class);

  private final DefaultNamespace namespace;
  private final DefaultChatServer server;
  private final ChannelRecovery.Scope recoveryScope;
  private final List<Middleware> middleware = new CopyOnWriteArrayList<>();
  private final List<ConnectionHandler> connectionHandlers = new CopyOnWriteArrayList<>();

  Admitter(DefaultNamespace namespace) {
    this.namespace = namespace;
    this.server = namespace.server();
    this.recoveryScope = new ChannelRecovery.Scope(server.recovery(), namespace.name(),
        server.config().recoveryJournalSize());
  }

  void use(Middleware check) {
    middleware.add(Objects.requireNonNull(check, "middleware"));
  }

  void onConnection(ConnectionHandler handler) {
    connectionHandlers.add(Objects.requireNonNull(handler, "handler"));
  }

  /**
   * Runs middleware, then creates the channel, or brings back the one a reconnecting client names by
   * connection state recovery (which blocks on the store). On the session's executor, where the channel's
   * handlers will run too: what this queues there waits until it returns.
   */
  void admit(DefaultSession session, Packet.Connect connect) {
    String name = namespace.name();
    boolean recoverable = namespace.recoveryEnabled() && session.recoverable();
    ChannelRecovery.Presented presented = ChannelRecovery.Presented.from(connect.data(), session.recoverable(),
        recoverable);
    Handshake handshake = checked(session, presented);
    if (handshake == null) {
      return;
    }
    if (!server.isRunning()) {
      refuse(session, Refusal.SHUTTING_DOWN, "server shutting down");
      return;
    }
    ChannelRecovery recovery = recoverable ? ChannelRecovery.admit(recoveryScope, presented) : null;
    // The session's, which runs this: what is queued there waits until the channel is registered; then the
    // connection handlers run, then the CONNECT answer goes, then the client's events: nothing reaches the client
    // ahead of the answer. The queued steps run only if the admission went through to the end (set last), not
    // for a channel whose session closed meanwhile.
    SerialExecutor executor = session.executor();
    boolean[] admitted = new boolean[1];
    Recovery.Restored restored = recovery == null ? null : recovery.restored();
    if (presented.privateId() != null && restored == null) {
      server.observers().recovered(false);
    }
    DefaultChannel channel = new DefaultChannel(restored != null ? restored.channelId() : Ids.next(), namespace,
        session, handshake, executor, recovery);
    executor.execute(() -> {
      if (admitted[0]) {
        runConnectionHandlers(channel);
      }
    });
    if (!session.attach(channel)) {
      if (recovery != null) {
        // The connection went while its session was being taken: keep it for the next attempt.
        recovery.putBack();
      }
      return;
    }
    try {
      // Registered before the client learns its id, so that once it has, server.to(id) and channel(id)
      // reach it; what is sent to it meanwhile waits behind the CONNECT answer. Its rooms are joined before
      // the connection handlers run, so they see the rooms and data; replays wait behind the answer.
      namespace.register(channel);
      channel.enterRooms();
      if (recovery != null) {
        recovery.entered();
      }
      if (restored != null) {
        log.debug("{} recovered", channel);
        server.observers().recovered(true);
      }
      // After the connection handlers, as on Node, where nothing else runs between them and the answer: by the
      // time the client knows it is connected, it is in the rooms they joined it to, so a broadcast another
      // client sends the moment it sees this one arrive reaches it too.
      Outgoing answer = new Outgoing(new Packet.Connect(name, connectData(channel)));
      executor.execute(() -> {
        if (!admitted[0]) {
          return;
        }
        channel.announce(answer);
        if (!channel.connected()) {
          // Closed while being registered: undo what its close may have missed.
          namespace.removeChannel(channel);
          namespace.roomRegistry().leaveAll(channel);
        }
        log.debug("{} connected over {}", channel, session.info().transport());
      });
    } catch (RuntimeException | Error e) {
      // Half admitted (a room, a restored state or an observer failed): the client is refused and nothing of the
      // channel is left behind, where it would wait for an answer that never comes.
      log.warn("admitting a client to {} failed; refused", name, e);
      session.disconnectChannel(channel, DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
      namespace.removeChannel(channel);
      namespace.roomRegistry().leaveAll(channel);
      refuse(session, Refusal.INTERNAL, "internal server error");
      return;
    }
    admitted[0] = true;
  }

  /** The handshake the middleware let through, or null if the client was refused. */
  private @Nullable Handshake checked(DefaultSession session, ChannelRecovery.Presented presented) {
    ConnectionInfo info = session.info();
    Handshake handshake = new Handshake(namespace.name(), info.transport(), info.remoteAddress(), info.path(),
        info.headers(), info.query(), info.cookies(), presented.auth(), null, Map.of(), Instant.now());
    try {
      for (Middleware check : middleware) {
        handshake = Objects.requireNonNull(check.handle(handshake), "middleware returned null");
      }
      return handshake;
    } catch (ConnectionRejectedException e) {
      log.debug("handshake to {} rejected: {}", namespace.name(), LogSafe.text(e.getMessage()));
      session.send(new Outgoing(new Packet.ConnectError(namespace.name(), e.refusal(), e.getMessage(), e.data())));
      return null;
    } catch (Exception e) {
      log.warn("middleware of {} failed; handshake rejected", namespace.name(), e);
      refuse(session, Refusal.INTERNAL, "internal server error");
      return null;
    }
  }

  private void refuse(DefaultSession session, Refusal refusal, String message) {
    session.send(new Outgoing(new Packet.ConnectError(namespace.name(), refusal, message, null)));
  }

  private static ObjectNode connectData(DefaultChannel channel) {
    ObjectNode sid = JsonNodeFactory.instance.objectNode().put("sid", channel.id());
    ChannelRecovery recovery = channel.recovery();
    if (recovery != null) {
      sid.put("pid", recovery.privateId(channel.id()));
    }
    return sid;
  }

  private void runConnectionHandlers(DefaultChannel channel) {
    for (ConnectionHandler handler : connectionHandlers) {
      if (!channel.connected()) {
        return;
      }
      try {
        handler.connected(channel);
      } catch (Exception e) {
        log.warn("connection handler of {} failed for {}", namespace.name(), channel, e);
      }
    }
  }
}
