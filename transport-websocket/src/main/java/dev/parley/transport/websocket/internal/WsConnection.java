package dev.parley.transport.websocket.internal;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.protocol.socketio.WireFrame;
import dev.parley.spi.Connection;
import dev.parley.spi.Outgoing;
import dev.parley.transport.websocket.WebSocketTransport;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to one WebSocket without blocking. Engine batches go through a {@link SocketWriter}: inside Jetty its
 * core session (UTF-8 shared by a broadcast's receivers, one write per batch), elsewhere the portable Jakarta
 * API. Everything the server sends after the open packet (pings, pongs, packets) comes through the engine's
 * bounded outbound buffer, weighed here in the bytes it will take on the wire. The system property
 * {@value #PORTABLE_PROPERTY} {@code =true} forces the portable writer, should the Jetty one ever misbehave.
 */
final class WsConnection implements Connection, Consumer<Throwable> {
  static final String PORTABLE_PROPERTY = WebSocketTransport.PORTABLE_PROPERTY;
  private static final Logger log = LoggerFactory.getLogger(WsConnection.class);
  private static final VarHandle BROKEN;

  static {
    try {
      BROKEN = MethodHandles.lookup().findVarHandle(WsConnection.class, "broken", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // The Jakarta session, or null on Jetty's core path, where the writer owns the socket.
  private final @Nullable Session socket;
  private final SocketWriter writer;
  private final SocketIoCodec codec;
  // A flag through BROKEN rather than an AtomicBoolean beside each connection.
  private volatile boolean broken;
  private volatile DisconnectReason closeReason = DisconnectReason.TRANSPORT_CLOSE;

  WsConnection(Session socket, SocketIoCodec codec) {
    this.socket = socket;
    this.codec = codec;
    this.writer = writerFor(socket);
  }

  /** A connection on a socket its writer owns (Jetty's core path); {@code writer} is given where to report a failure. */
  WsConnection(Function<Consumer<Throwable>, SocketWriter> writer, SocketIoCodec codec) {
    this.socket = null;
    this.codec = codec;
    this.writer = writer.apply(this);
  }

  private SocketWriter writerFor(Session socket) {
    if (!Boolean.getBoolean(PORTABLE_PROPERTY)) {
      try {
        SocketWriter jetty = JettySocketWriter.of(socket, this);
        if (jetty != null) {
          return jetty;
        }
      } catch (LinkageError e) {
        // Some Jetty classes are there and others are not (a trimmed container): the portable writer works anywhere.
        log.debug("Jetty writer unavailable", e);
      }
    }
    return new JakartaSocketWriter(socket.getAsyncRemote(), this);
  }

  /** Which writer this connection uses; for tests. */
  boolean portable() {
    return writer instanceof JakartaSocketWriter;
  }

  /**
   * Encodes the batch (each packet once per codec, whatever the number of connections) and hands it to the
   * writer. Whatever is thrown here (an encoding error, out of memory) reaches the engine's outbox, which logs it
   * and ends the connection (close 1011): nothing is caught and dropped.
   */
  @Override
  public void write(List<Outgoing> batch, WriteCallback done) {
    List<WireFrame> frames = new ArrayList<>(batch.size());
    for (Outgoing packet : batch) {
      frames.add(packet.encoded(codec));
    }
    writer.send(frames, done);
  }

  /**
   * The packet's bytes through this writer: its text frame as UTF-8 and its attachments. The encoding is made now and
   * cached in the packet, so {@link #write} and every other connection of a broadcast reuse it.
   */
  @Override
  public long weigh(Outgoing packet) {
    return writer.weigh(packet.encoded(codec));
  }

  /** Socket.IO clients 4.6+ resume with the private id and offset (connection state recovery). */
  @Override
  public boolean recoverable() {
    return true;
  }

  /** Sends Engine.IO's open packet, before the session can queue anything. */
  void sendOpen(String text) {
    writer.sendControl(text);
  }

  /** Why the server closed the socket, or TRANSPORT_CLOSE if the client did. */
  DisconnectReason closeReason() {
    return closeReason;
  }

  /**
   * The writer met a Throwable no batch callback could carry: logged once, and the socket closed with 1011; the
   * endpoint's onClose then ends the engine's session with TRANSPORT_ERROR. The connection is its writer's
   * failure handler itself, rather than a method reference kept beside every socket.
   */
  @Override
  public void accept(Throwable error) {
    if (BROKEN.compareAndSet(this, false, true)) {
      log.warn("writing to WebSocket {} failed; closing it", socket == null ? "(core)" : socket.getId(), error);
    }
    close(DisconnectReason.TRANSPORT_ERROR);
  }

  @Override
  public void close(DisconnectReason reason) {
    closeReason = reason;
    close(codeFor(reason), reason.wireName());
  }

  void close(CloseReason.CloseCode code, String phrase) {
    try {
      Session jakarta = socket;
      if (jakarta == null) {
        writer.close(code.getCode(), phrase);
      } else if (jakarta.isOpen()) {
        jakarta.close(new CloseReason(code, phrase));
      }
    } catch (Throwable e) {
      // The close handshake could not even start (IOException, or worse): drop the connection instead, so
      // that it cannot stay open with nobody writing to it.
      log.debug("close failed; aborting", e);
      try {
        writer.abort();
      } catch (Throwable again) {
        log.debug("abort failed too", again);
      }
    }
  }

  /**
   * Why the container closed a socket the server did not close itself, from the close code or the error it
   * reported: a frame over {@code maxPayload} (1009), a text frame or close reason that is not UTF-8 (1007);
   * else {@code otherwise}.
   */
  static DisconnectReason containerReason(int code, DisconnectReason otherwise) {
    if (code == CloseReason.CloseCodes.TOO_BIG.getCode()) {
      return DisconnectReason.MESSAGE_TOO_LARGE;
    }
    if (code == CloseReason.CloseCodes.NOT_CONSISTENT.getCode()) {
      return DisconnectReason.PARSE_ERROR;
    }
    return otherwise;
  }

  /**
   * Why a socket closed, for the engine: the reason the transport closed it with, else the one the container's
   * close {@code code} (0 when none) names, else a transport close.
   */
  static DisconnectReason closeReason(@Nullable WsConnection connection, int code) {
    DisconnectReason reason = connection == null ? DisconnectReason.TRANSPORT_CLOSE : connection.closeReason();
    return reason == DisconnectReason.TRANSPORT_CLOSE && code != 0 ? containerReason(code, reason) : reason;
  }

  /** The close code the container gives {@code error}, if it is one of Jetty's that carry one; else 0. */
  static int containerCloseCode(Throwable error) {
    try {
      return JettySocketWriter.closeCode(error);
    } catch (LinkageError e) {
      return 0;
    }
  }

  static CloseReason.CloseCode codeFor(DisconnectReason reason) {
    return switch (reason) {
      case SLOW_CONSUMER -> CloseReason.CloseCodes.VIOLATED_POLICY;
      case PARSE_ERROR -> CloseReason.CloseCodes.PROTOCOL_ERROR;
      case MESSAGE_TOO_LARGE -> CloseReason.CloseCodes.TOO_BIG;
      case TRANSPORT_ERROR -> CloseReason.CloseCodes.UNEXPECTED_CONDITION;
      case SERVER_SHUTTING_DOWN, PING_TIMEOUT -> CloseReason.CloseCodes.GOING_AWAY;
      default -> CloseReason.CloseCodes.NORMAL_CLOSURE;
    };
  }
}
