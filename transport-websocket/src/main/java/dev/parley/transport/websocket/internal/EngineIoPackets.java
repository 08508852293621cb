package dev.parley.transport.websocket.internal;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.LogSafe;
import dev.parley.protocol.Packet;
import dev.parley.protocol.socketio.BinaryAssembly;
import dev.parley.protocol.socketio.Decoded;
import dev.parley.protocol.socketio.Peer;
import dev.parley.protocol.socketio.ProtocolException;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.protocol.socketio.WireFrame;
import dev.parley.protocol.support.Roster;
import dev.parley.spi.Connection;
import dev.parley.spi.Inbound;
import dev.parley.spi.Session;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * One Engine.IO v4 session's packets, whatever carries them (a WebSocket's frames, or the packets of HTTP
 * long-polling requests): the server's heartbeat and the client's packets in. The transport hands it each
 * text packet and each binary attachment in arrival order, one at a time.
 *
 * <p>A Socket.IO packet is admitted by the engine before its payload is parsed: its header (type, namespace,
 * ack id, attachment count) is read, its cost once parsed estimated from the text, and only an admitted packet
 * is parsed. A binary packet's attachments then grow what it holds, each as it arrives, within
 * {@code maxPayload} for the whole packet and {@code attachmentTimeout} for the last one to come.
 *
 * <p>As a {@link Roster.Member} it keeps its own place among the sessions its {@link Heartbeats} beat for (under
 * their lock).
 */
final class EngineIoPackets extends Roster.Member<EngineIoPackets> {
  /** The longest payload a client's ping may carry: {@code "probe"} is the only one the protocol uses. */
  static final int MAX_PING_PAYLOAD = 16;
  private static final long NO_PONG = -1;
  private static final Logger log = LoggerFactory.getLogger(EngineIoPackets.class);

  private final EngineIo shared;
  // Guarded by this (no lock object kept per connection): pending and ended. The attachment deadline fires on a
  // timer thread, the close may come on another.
  private @Nullable Pending pending;
  private boolean ended;
  private volatile @Nullable Connection connection;
  private volatile @Nullable Session session;
  // The heartbeat's two times, on the heartbeats' clock (ticks): when the next ping is due, and when the pong to
  // the last one is (NO_PONG: none awaited). Written by the heartbeat's tick; the pong's arrival clears the second.
  private volatile long nextPing;
  private volatile long pongDue = NO_PONG;
  // Set once the server has decided to close: packets that still arrive are not looked at.
  private volatile boolean closing;

  EngineIoPackets(EngineIo shared) {
    this.shared = shared;
  }

  /** Starts the heartbeat of {@code opened}, whose frames go to {@code carrier}; packets are read from now. */
  void start(Session opened, Connection carrier) {
    this.connection = carrier;
    this.session = opened;
    nextPing = shared.heartbeats().now() + shared.heartbeats().pingTicks();
    shared.heartbeats().add(this);
  }

  /** What the session's frames go to, once started. */
  @Nullable Connection carrier() {
    return connection;
  }

  /** The engine's session, once started. */
  @Nullable Session session() {
    return session;
  }

  /** Stops the heartbeat and drops a binary packet still pending: the carrier has gone. Idempotent. */
  void stop() {
    stopHeartbeat();
    endPending();
  }

  /**
   * The heartbeat's tick ({@code now}, the ticks so far): a ping once {@code pingInterval} has passed since the
   * last, unless its pong is still awaited; the session's end once that pong is {@code pingTimeout} late.
   */
  void beat(long now) {
    Session current = session;
    if (current == null || closing) {
      return;
    }
    long awaited = pongDue;
    if (awaited != NO_PONG) {
      if (now >= awaited) {
        log.debug("session {}: no pong within {} ms", current.id(), shared.config().pingTimeout().toMillis());
        fail(DisconnectReason.PING_TIMEOUT);
      }
      return;
    }
    if (now < nextPing) {
      return;
    }
    nextPing = now + shared.heartbeats().pingTicks();
    pongDue = now + shared.heartbeats().pongTicks();
    // Behind what is queued for the client, and counted against its outbound buffer like any packet.
    if (!current.sendControl("2")) {
      // Closed, or being cut off as a slow consumer: no pong to wait for.
      pongDue = NO_PONG;
    }
  }

  /** A text packet from the client (its Engine.IO type first). */
  void onText(String text) {
    Session current = session;
    if (current == null || closing) {
      return;
    }
    try {
      if (text.isEmpty()) {
        throw new ProtocolException("empty Engine.IO packet");
      }
      switch (text.charAt(0)) {
        case '4' -> message(current, text);
        case '3' -> pongDue = NO_PONG;
        case '2' -> {
          if (text.length() - 1 > MAX_PING_PAYLOAD) {
            throw new ProtocolException("ping payload of " + (text.length() - 1) + " characters, more than "
                + MAX_PING_PAYLOAD);
          }
          // Through the outbound buffer: a client that pings and never reads is cut off as a slow consumer.
          current.sendControl("3" + text.substring(1));
        }
        case '1' -> fail(DisconnectReason.TRANSPORT_CLOSE);
        case '6' -> { }
        default -> throw new ProtocolException("unknown Engine.IO packet type " + text.charAt(0));
      }
    } catch (ProtocolException e) {
      log.debug("session {}: {}; closing", current.id(), LogSafe.text(e.getMessage()));
      fail(DisconnectReason.PARSE_ERROR);
    } catch (Throwable e) {
      unexpected(current, e);
    }
  }

  /** A Socket.IO packet: its header read, admitted by the engine, and only then parsed. */
  private void message(Session current, String text) {
    synchronized (this) {
      if (pending != null) {
        throw new ProtocolException("text frame while binary attachments are pending");
      }
    }
    SocketIoCodec.Header header = shared.codec().header(text, 1, Peer.CLIENT);
    if (header.disconnect()) {
      // No payload, nothing to hold; and leaving a namespace is never refused, it frees what the channel held.
      current.receive(new Packet.Disconnect(header.namespace()), null);
      return;
    }
    Inbound inbound = current.admit(header.namespace(), header.connect(), header.eventAckId(),
        SocketIoCodec.cost(header, text));
    Inbound.Refusal refusal = inbound.refusal();
    if (refusal == Inbound.Refusal.TOO_LARGE) {
      log.debug("session {}: a frame of {} characters would hold more than the connection's inbound budget; "
          + "closing", current.id(), text.length());
      fail(DisconnectReason.MESSAGE_TOO_LARGE);
      return;
    }
    if (refusal != null) {
      // The engine has answered it (an error ack, a CONNECT_ERROR); it is dropped unparsed, and so are the
      // attachments it announced, as they come.
      if (header.binary()) {
        await(new Pending(null, null, header.attachments(), WireFrame.utf8Length(text)));
      }
      return;
    }
    Decoded decoded;
    try {
      decoded = shared.codec().decode(header, text);
    } catch (Throwable e) {
      inbound.cancel();
      throw e;
    }
    if (decoded instanceof Decoded.Complete complete) {
      current.receive(complete.packet(), inbound);
    } else if (decoded instanceof Decoded.AwaitingAttachments awaiting) {
      BinaryAssembly assembly = awaiting.assembly();
      await(new Pending(assembly, inbound, assembly.expected(), WireFrame.utf8Length(text)));
    }
  }

  // Waits for a binary packet's attachments, until the deadline.
  private void await(Pending next) {
    synchronized (this) {
      if (!ended) {
        pending = next;
        try {
          next.deadline = shared.context().scheduler().schedule(() -> attachmentsLate(next),
              shared.config().attachmentTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          // The server is stopping, and closes this connection itself.
          log.debug("no attachment deadline: the server is stopping");
        }
        return;
      }
    }
    next.release();
  }

  private void attachmentsLate(Pending late) {
    int received;
    synchronized (this) {
      if (pending != late) {
        return;
      }
      pending = null;
      received = late.received;
    }
    late.release();
    Session current = session;
    log.debug("session {}: {} of {} attachments within {} ms; closing", current == null ? "?" : current.id(),
        received, late.expected, shared.config().attachmentTimeout().toMillis());
    fail(DisconnectReason.PARSE_ERROR);
  }

  /** A binary packet from the client: an attachment of the binary packet announced before. */
  void onBinary(ByteBuffer buffer) {
    Session current = session;
    if (current == null || closing) {
      return;
    }
    try {
      Packet complete = null;
      Pending done;
      String tooLarge = null;
      synchronized (this) {
        done = pending;
        if (done == null) {
          throw new ProtocolException("binary frame with no pending attachment");
        }
        int size = buffer.remaining();
        done.bytes += size;
        done.received++;
        if (done.bytes > shared.config().maxPayload()) {
          tooLarge = "a binary packet of more than " + shared.config().maxPayload() + " bytes";
        } else if (done.inbound != null && !done.inbound.grow(size)) {
          tooLarge = "attachments beyond the connection's inbound budget";
        } else if (done.assembly != null) {
          byte[] bytes = new byte[size];
          buffer.get(bytes);
          complete = done.assembly.add(bytes);
        }
        if (tooLarge == null && complete == null && done.received < done.expected) {
          return;
        }
        pending = null;
      }
      done.stopDeadline();
      if (tooLarge != null) {
        done.release();
        log.debug("session {}: {}; closing", current.id(), tooLarge);
        fail(DisconnectReason.MESSAGE_TOO_LARGE);
      } else if (complete != null) {
        current.receive(complete, done.inbound);
      }
    } catch (ProtocolException e) {
      log.debug("session {}: {}; closing", current.id(), LogSafe.text(e.getMessage()));
      fail(DisconnectReason.PARSE_ERROR);
    } catch (Throwable e) {
      unexpected(current, e);
    }
  }

  // A failure of the server's own making while handling a packet (out of memory while parsing, a bug): logged
  // once, and the connection ends with 1011. Thrown on to the container, it would close it with 1003 "cannot
  // accept" and leave the log to the container.
  private void unexpected(Session current, Throwable error) {
    log.warn("session {}: handling a frame failed; closing the connection", current.id(), error);
    fail(DisconnectReason.TRANSPORT_ERROR);
  }

  // Closes the connection for a reason of the server's: a binary packet still pending is dropped (its bytes
  // given back, its deadline cancelled) and frames that still arrive are not looked at.
  void fail(DisconnectReason reason) {
    closing = true;
    releasePending();
    Session current = session;
    Connection currentConnection = connection;
    if (current != null) {
      current.closed(reason);
    }
    if (currentConnection != null) {
      currentConnection.close(reason);
    }
  }

  private void releasePending() {
    Pending dropped;
    synchronized (this) {
      dropped = pending;
      pending = null;
    }
    if (dropped != null) {
      dropped.stopDeadline();
      dropped.release();
    }
  }

  private void endPending() {
    synchronized (this) {
      ended = true;
    }
    releasePending();
  }

  private void stopHeartbeat() {
    shared.heartbeats().remove(this);
  }

  /**
   * A binary packet whose text has been read and whose attachments are awaited: the assembly and its admitted
   * bytes, or neither for a packet the engine refused, whose attachments are only skipped. Mutable fields are
   * guarded by the packets' monitor.
   */
  private static final class Pending {
    private final @Nullable BinaryAssembly assembly;
    private final @Nullable Inbound inbound;
    private final int expected;
    private int received;
    // The packet's text frame and attachments so far, in bytes, for maxPayload.
    private long bytes;
    private volatile @Nullable Disposable deadline;

    Pending(@Nullable BinaryAssembly assembly, @Nullable Inbound inbound, int expected, long textBytes) {
      this.assembly = assembly;
      this.inbound = inbound;
      this.expected = expected;
      this.bytes = textBytes;
    }

    void stopDeadline() {
      Disposable timer = deadline;
      if (timer != null) {
        timer.dispose();
      }
    }

    // Gives the packet's bytes back without handing it to the engine.
    void release() {
      if (inbound != null) {
        inbound.cancel();
      }
    }
  }
}
