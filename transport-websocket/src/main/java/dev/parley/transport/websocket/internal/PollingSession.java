package dev.parley.transport.websocket.internal;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.protocol.socketio.WireFrame;
import dev.parley.spi.Connection;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO session over HTTP long-polling, the engine's {@link Connection} for it. A batch the engine
 * writes waits here for the client's next {@code GET} (or goes at once into the one held open), and its write
 * completes only once that response has been written: a client that stops polling leaves the batch pending,
 * the engine's outbound buffer fills behind it, and the engine cuts the client off as a slow consumer. Packets
 * a {@code POST} carries go to the session's {@link EngineIoPackets}, as a WebSocket's frames do.
 *
 * <p>At most one {@code GET} is held and one {@code POST} read at a time: a second concurrent one ends the
 * session. Thread-safe: requests, the engine and the heartbeat's timer call it from any thread.
 */
final class PollingSession implements Connection, HeldPoll.Owner {
  /** Engine.IO v4's separator between the packets of one HTTP body. */
  static final char SEPARATOR = '\u001e';
  /** Engine.IO's close packet, the answer a held {@code GET} gets when its session ends. */
  static final String CLOSE_PACKET = "1";
  /** Engine.IO's noop, which ends a held {@code GET} while a WebSocket takes the session over. */
  static final String NOOP_PACKET = "6";
  private static final Logger log = LoggerFactory.getLogger(PollingSession.class);

  private final EngineIoPackets packets;
  private final SocketIoCodec codec;
  private final Map<String, PollingSession> sessions;
  // Guarded by this (the session's monitor: no lock object kept per session): the held GET, the batch waiting for
  // a GET, whether a POST is being read, whether closed.
  private @Nullable HeldPoll poll;
  private @Nullable Batch waiting;
  private boolean posting;
  // Drops the POST being read, if any, when the session ends.
  private @Nullable Runnable dropPost;
  private boolean closed;
  // Guarded by this: a WebSocket has been let in to take this session over; it is probing (2probe came);
  // the WebSocket that took over its outbound.
  private boolean claimed;
  private boolean probing;
  private @Nullable WsConnection upgraded;
  private @Nullable String id;
  private volatile DisconnectReason closeReason = DisconnectReason.TRANSPORT_CLOSE;

  PollingSession(EngineIoPackets packets, SocketIoCodec codec, Map<String, PollingSession> sessions) {
    this.packets = packets;
    this.codec = codec;
    this.sessions = sessions;
  }

  /**
   * Registers the session under its id and starts its heartbeat.
   *
   * @return false if the engine closed it already (the server is stopping): nothing registered
   */
  boolean start(Session opened) {
    synchronized (this) {
      if (closed) {
        return false;
      }
      id = opened.id();
      sessions.put(opened.id(), this);
    }
    packets.start(opened, this);
    if (isClosed()) {
      // Closed between the registration and the heartbeat's start: close() found no timer to stop.
      packets.stop();
    }
    return true;
  }

  /**
   * A {@code GET}: answered now with the batch waiting, if any, or a noop while a WebSocket probes the session,
   * else held until the engine writes one (a ping at the latest, every {@code pingInterval}). A second
   * {@code GET} while one is held ends the session.
   *
   * @return false if one was held already: the caller answers this one with 400, the held one gets a close
   */
  boolean poll(HeldPoll held) {
    Batch ready;
    synchronized (this) {
      if (closed) {
        ready = Batch.control(CLOSE_PACKET);
      } else if (poll != null) {
        ready = null;
      } else if (waiting != null) {
        ready = waiting;
        waiting = null;
      } else if (probing) {
        // A client pauses polling for the upgrade, and sends its 5, only once its last GET is answered: held
        // (until the next ping), this one would stall the upgrade.
        ready = Batch.control(NOOP_PACKET);
      } else {
        poll = held;
        held.onGone(this);
        return true;
      }
    }
    if (ready == null) {
      log.debug("session {}: a second GET while one is held; closing", id);
      packets.fail(DisconnectReason.TRANSPORT_ERROR);
      return false;
    }
    send(held, ready);
    return true;
  }

  /** The client abandoned the held GET: the next batch then waits for another GET, or for the deadlines. */
  @Override
  public void forget(HeldPoll held) {
    synchronized (this) {
      if (poll == held) {
        poll = null;
      }
    }
  }

  /**
   * Lets one WebSocket in to take the session over, before its upgrade is accepted: a second one while it is
   * there is refused before its upgrade, not closed after it.
   *
   * @return false if the session is closed, upgraded already, or another socket holds the claim
   */
  boolean claim() {
    synchronized (this) {
      if (closed || upgraded != null || claimed) {
        return false;
      }
      claimed = true;
      return true;
    }
  }

  /**
   * A WebSocket asks to take the session over ({@code 2probe}): a GET held now is answered with a noop, so that
   * the client's polling pauses.
   *
   * @return false if the session is closed, upgraded already or probed by another socket
   */
  boolean probe() {
    HeldPoll held;
    synchronized (this) {
      if (closed || upgraded != null || probing) {
        return false;
      }
      probing = true;
      held = poll;
      poll = null;
    }
    if (held != null) {
      send(held, Batch.control(NOOP_PACKET));
    }
    return true;
  }

  /** The socket that claimed the session went before the upgrade: the session stays on polling, claimable. */
  void probeEnded() {
    synchronized (this) {
      probing = false;
      claimed = false;
    }
  }

  /**
   * The client's {@code 5}: from now on the session's outbound goes over {@code socket}; a batch waiting for a
   * GET goes there first, and a GET still held gets a noop.
   *
   * @return false if the session has closed meanwhile
   */
  boolean upgrade(WsConnection socket) {
    HeldPoll held;
    Batch handed;
    synchronized (this) {
      if (closed || !probing) {
        return false;
      }
      probing = false;
      upgraded = socket;
      held = poll;
      poll = null;
      handed = waiting;
      waiting = null;
    }
    if (held != null) {
      send(held, Batch.control(NOOP_PACKET));
    }
    if (handed != null && handed.done != null) {
      socket.write(handed.packets, handed.done);
    }
    return true;
  }

  /** Whether a WebSocket carries the session now: polling requests for it are refused. */
  boolean upgraded() {
    synchronized (this) {
      return upgraded != null;
    }
  }

  /** The session's packets, which an upgraded socket's frames go to. */
  EngineIoPackets packets() {
    return packets;
  }

  /** Whether a GET is held now. */
  boolean polling() {
    synchronized (this) {
      return poll != null;
    }
  }

  /** Whether a POST may be read now: false if one is being read already (the session then ends) or closed. */
  boolean startPost() {
    synchronized (this) {
      if (!posting && !closed) {
        posting = true;
        return true;
      }
      if (closed) {
        return false;
      }
    }
    log.debug("session {}: a second POST while one is read; closing", id);
    packets.fail(DisconnectReason.TRANSPORT_ERROR);
    return false;
  }

  /**
   * Registers what drops the POST about to be read should the session end first; runs it now if it has.
   *
   * @return whether the body is to be read: false if the session had ended and the drop ran
   */
  boolean reading(Runnable drop) {
    synchronized (this) {
      if (!closed) {
        dropPost = drop;
        return true;
      }
    }
    drop.run();
    return false;
  }

  /**
   * Hands the packets of a POST body, in order, to the session; binary ones ({@code b} + base64) as
   * attachments. A packet that breaks the protocol ends the session, and the rest are not looked at.
   *
   * @return whether the session is still open, or was closed by the client's own close packet
   */
  boolean posted(String body) {
    try {
      int from = 0;
      while (from <= body.length() && !isClosed()) {
        int end = body.indexOf(SEPARATOR, from);
        if (end < 0) {
          end = body.length();
        }
        String packet = body.substring(from, end);
        if (packet.startsWith("b")) {
          byte[] bytes;
          try {
            // io.socket's Java client breaks its base64 into lines (76 characters and a \n); Node's decoder skips
            // the line ends too.
            bytes = Base64.getDecoder().decode(packet.substring(1).replace("\n", "").replace("\r", ""));
          } catch (IllegalArgumentException e) {
            log.debug("session {}: a binary packet that is not base64; closing", id);
            packets.fail(DisconnectReason.PARSE_ERROR);
            break;
          }
          packets.onBinary(ByteBuffer.wrap(bytes));
        } else {
          packets.onText(packet);
        }
        from = end + 1;
      }
    } finally {
      synchronized (this) {
        posting = false;
        dropPost = null;
      }
    }
    return !isClosed() || closeReason == DisconnectReason.TRANSPORT_CLOSE;
  }

  /** Ends the session for a reason of the server's (a POST body too large, one that never came). */
  void fail(DisconnectReason reason) {
    packets.fail(reason);
  }

  private boolean isClosed() {
    synchronized (this) {
      return closed;
    }
  }

  /** Joins the batch's packets with the separator, binary attachments as {@code b} + base64, and sends or keeps it. */
  @Override
  public void write(List<Outgoing> batch, WriteCallback done) {
    Batch next = new Batch(body(batch), done, batch);
    HeldPoll held;
    WsConnection socket;
    synchronized (this) {
      socket = upgraded;
      if (socket != null) {
        held = null;
      } else if (closed) {
        held = null;
      } else if (poll != null) {
        held = poll;
        poll = null;
      } else {
        waiting = next;
        return;
      }
    }
    if (socket != null) {
      socket.write(batch, done);
    } else if (held == null) {
      done.failed(new IOException("polling session closed"));
    } else {
      send(held, next);
    }
  }

  /** The bytes the packet takes in a response: its text as UTF-8 and each attachment in base64 with its prefix. */
  @Override
  public long weigh(Outgoing packet) {
    WsConnection socket;
    synchronized (this) {
      socket = upgraded;
    }
    if (socket != null) {
      return socket.weigh(packet);
    }
    return polledSize(packet.encoded(codec));
  }

  // WireFrame.size() is counted once per broadcast; only the attachments' base64 is per call, and arithmetic.
  private static long polledSize(WireFrame frame) {
    long bytes = frame.size();
    for (byte[] attachment : frame.attachments()) {
      bytes += 2 + 4L * ((attachment.length + 2) / 3) - attachment.length;
    }
    return bytes;
  }

  /**
   * A response's body: the packets joined by the separator, each attachment as {@code b} + base64. Copies the
   * text frames' UTF-8, made once per broadcast, into one array of the exact size rather than re-encoding it.
   */
  private byte[] body(List<Outgoing> batch) {
    List<WireFrame> frames = new ArrayList<>(batch.size());
    long size = 0;
    for (Outgoing packet : batch) {
      WireFrame frame = packet.encoded(codec);
      frames.add(frame);
      size += polledSize(frame) + 1;   // and the separator before the next
    }
    byte[] body = new byte[(int) Math.max(0, size - 1)];
    int at = 0;
    Base64.Encoder base64 = Base64.getEncoder();
    for (WireFrame frame : frames) {
      if (at > 0) {
        body[at++] = (byte) SEPARATOR;
      }
      byte[] text = frame.utf8();
      System.arraycopy(text, 0, body, at, text.length);
      at += text.length;
      for (byte[] attachment : frame.attachments()) {
        body[at++] = (byte) SEPARATOR;
        body[at++] = 'b';
        byte[] encoded = base64.encode(attachment);
        System.arraycopy(encoded, 0, body, at, encoded.length);
        at += encoded.length;
      }
    }
    return body;
  }

  /**
   * No limit of its own: each batch costs the client a long-poll, so one response carries as much as the
   * engine allows (a quarter of the outbound buffer), not the default 64 packets.
   */
  @Override
  public int maxBatch() {
    return Integer.MAX_VALUE;
  }

  /** Socket.IO clients resume over polling as over WebSocket (connection state recovery). */
  @Override
  public boolean recoverable() {
    return true;
  }

  /**
   * Ends the session: the held {@code GET} gets the close packet, a batch still waiting fails, the id is
   * forgotten (later requests with it get "Session ID unknown") and the engine hears of it. Idempotent.
   */
  @Override
  public void close(DisconnectReason reason) {
    HeldPoll held;
    Batch dropped;
    Runnable drop;
    WsConnection socket;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      socket = upgraded;
      drop = dropPost;
      dropPost = null;
      closeReason = reason;
      held = poll;
      poll = null;
      dropped = waiting;
      waiting = null;
      if (id != null) {
        sessions.remove(id, this);
      }
    }
    packets.stop();
    Session session = packets.session();
    if (session != null) {
      session.closed(reason);
    }
    if (dropped != null && dropped.done != null) {
      dropped.done.failed(new IOException("polling session closed: " + reason.wireName()));
    }
    if (held != null) {
      send(held, Batch.control(CLOSE_PACKET));
    }
    if (drop != null) {
      drop.run();
    }
    if (socket != null) {
      socket.close(reason);
    }
  }

  // Writes the body without blocking; the batch's write completes once it is all written.
  private void send(HeldPoll held, Batch batch) {
    held.answer(batch.body, new WriteCallback() {
      @Override
      public void written() {
        if (batch.done != null) {
          batch.done.written();
        }
      }

      @Override
      public void failed(Throwable error) {
        log.debug("session {}: answering a GET failed: {}", id, error.toString());
        if (batch.done != null) {
          batch.done.failed(error);
          packets.fail(DisconnectReason.TRANSPORT_ERROR);
        }
      }
    });
  }

  /** A response body and the engine's callback for it, or none for the close packet. */
  private record Batch(byte[] body, @Nullable WriteCallback done, List<Outgoing> packets) {
    static Batch control(String packet) {
      return new Batch(packet.getBytes(StandardCharsets.UTF_8), null, List.of());
    }
  }
}
