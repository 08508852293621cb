package dev.parley.client.internal;

import dev.parley.error.TransportException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.protocol.socketio.BinaryAssembly;
import dev.parley.protocol.socketio.Decoded;
import dev.parley.protocol.socketio.OpenPacket;
import dev.parley.protocol.socketio.Peer;
import dev.parley.protocol.socketio.ProtocolException;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.protocol.socketio.WireFrame;
import dev.parley.protocol.support.SerialDrain;
import dev.parley.protocol.support.Timers;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * One Engine.IO v4 connection over WebSocket, client side: waits for the open packet, answers pings and
 * watches that they keep coming, decodes Socket.IO packets (binary attachments included) and writes
 * frames one at a time, in order, without blocking. Reports to its {@link LinkListener} on the WebSocket
 * client's I/O threads (or the control thread for a heartbeat timeout, timed on the client's scheduler);
 * reports its end exactly once.
 */
final class EngineLink extends Endpoint implements Link {
  private static final Logger log = LoggerFactory.getLogger(EngineLink.class);

  /** What the writer sends, in order. */
  private sealed interface Out permits Text, Frame, CloseRequest {
  }

  /** An Engine.IO frame of its own (a pong). */
  private record Text(String text) implements Out {
  }

  /**
   * A Socket.IO packet: its text frame, then its binary attachments; {@code size} is what it holds of the
   * {@link OutboundBuffer} (an application's emit), or -1 for a packet the buffer does not count.
   */
  private record Frame(WireFrame frame, long size) implements Out {
  }

  /** Tells the writer to close the socket once everything queued before it is written. */
  private record CloseRequest(CloseReason reason) implements Out {
  }

  private final LinkListener listener;
  private final SocketIoCodec codec;
  private final JsonMapper mapper;
  private final Timers timers;
  private final OutboundBuffer buffer;
  private final CompletableFuture<String> answer = new CompletableFuture<>();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final CountDownLatch socketClosed = new CountDownLatch(1);
  // A send whose handler runs synchronously asks for the next pass from inside this one; the drain serves it
  // once this pass returns.
  private final SerialDrain<Out> queue = new SerialDrain<>(Runnable::run, this::pass, this::sendFailed);
  // The packet whose attachments are being sent, and the next one to send; only touched by the passes.
  private @Nullable WireFrame current;
  private int nextAttachment;
  private volatile boolean sending;
  private volatile boolean stopped;
  private volatile boolean closing;
  private volatile @Nullable Session socket;
  private volatile RemoteEndpoint.@Nullable Async remote;
  private volatile @Nullable Runnable watchdog;
  private volatile boolean opened;
  private volatile String sid = "";
  private volatile long pingInterval;
  private volatile long pingTimeout;
  private volatile long maxPayload;
  // The container calls the message handlers one at a time.
  private @Nullable BinaryAssembly pendingBinary;

  EngineLink(LinkListener listener, SocketIoCodec codec, JsonMapper mapper, Timers timers, OutboundBuffer buffer) {
    this.listener = listener;
    this.codec = codec;
    this.mapper = mapper;
    this.timers = timers;
    this.buffer = buffer;
  }

  @Override
  public CompletableFuture<String> answer() {
    return answer;
  }

  /** The Engine.IO session id, once open. */
  String sid() {
    return sid;
  }

  /**
   * Encodes the packet with the Socket.IO codec and checks it against the server's {@code maxPayload}; an
   * event (the application's emit) is counted in the outbound buffer when it is sent.
   */
  @Override
  public Outbound prepare(Packet packet) {
    WireFrame frame = checked(codec.encode(packet));
    long size = packet instanceof Packet.Event ? encodedSize(frame) : -1;
    return () -> send(frame, size);
  }

  /** The bytes a frame puts on the wire: its text in UTF-8 and its attachments. */
  private static long encodedSize(WireFrame frame) {
    String text = frame.text();
    long size = text.length();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        // A pair is two chars and four bytes.
        size += 1;
      } else if (c >= 0x800) {
        size += 2;
      } else if (c >= 0x80) {
        size += 1;
      }
    }
    for (byte[] attachment : frame.attachments()) {
      size += attachment.length;
    }
    return size;
  }

  private WireFrame checked(WireFrame frame) {
    long max = maxPayload;
    if (max <= 0) {
      return frame;
    }
    String text = frame.text();
    long size = (long) text.length() * 3 <= max ? text.length() : text.getBytes(StandardCharsets.UTF_8).length;
    for (byte[] attachment : frame.attachments()) {
      size = Math.max(size, attachment.length);
    }
    if (size > max) {
      throw new IllegalArgumentException("the packet has a frame of " + size
          + " bytes, over the server's maxPayload of " + max + " bytes");
    }
    return frame;
  }

  // ---- WebSocket callbacks (I/O threads) ----

  @Override
  public void onOpen(Session session, EndpointConfig config) {
    socket = session;
    remote = session.getAsyncRemote();
    session.addMessageHandler(String.class, (MessageHandler.Whole<String>) this::onText);
    session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) this::onBinary);
    if (ended.get()) {
      closeSocket(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "client disconnect"));
      return;
    }
    queue.signal();
  }

  @Override
  public void onClose(Session session, CloseReason reason) {
    socketClosed.countDown();
    String phrase = reason.getReasonPhrase();
    end(DisconnectReason.TRANSPORT_CLOSE, reason.getCloseCode().getCode(), "closed with "
        + reason.getCloseCode().getCode() + (phrase == null || phrase.isEmpty() ? "" : " " + phrase));
  }

  @Override
  public void onError(Session session, Throwable error) {
    log.debug("link {}: {}", sid, error.toString());
    end(DisconnectReason.TRANSPORT_ERROR, 0, error.toString());
    closeSocket(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "error"));
  }

  private void onText(String text) {
    if (ended.get()) {
      return;
    }
    try {
      if (text.isEmpty()) {
        throw new ProtocolException("empty Engine.IO packet");
      }
      char type = text.charAt(0);
      if (!opened && type != '0') {
        throw new ProtocolException("Engine.IO packet " + type + " before the open packet");
      }
      switch (type) {
        case '0' -> open(text.substring(1));
        case '2' -> {
          // Answer first: a handler never delays a pong, since handlers run elsewhere.
          sendText("3" + text.substring(1));
          armWatchdog();
        }
        case '4' -> message(text.substring(1));
        case '1' -> end(DisconnectReason.TRANSPORT_CLOSE, 0, "the server closed the Engine.IO session");
        case '3', '6' -> { }
        default -> throw new ProtocolException("unknown Engine.IO packet type " + type);
      }
    } catch (ProtocolException e) {
      log.debug("link {}: {}; closing", sid, e.getMessage());
      fail(DisconnectReason.PARSE_ERROR, CloseReason.CloseCodes.PROTOCOL_ERROR, e.getMessage());
    }
  }

  private void onBinary(ByteBuffer buffer) {
    if (ended.get()) {
      return;
    }
    try {
      BinaryAssembly assembly = pendingBinary;
      if (assembly == null) {
        throw new ProtocolException("binary frame with no pending attachment");
      }
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      Packet packet = assembly.add(bytes);
      if (packet != null) {
        pendingBinary = null;
        listener.linkPacket(this, packet);
      }
    } catch (ProtocolException e) {
      log.debug("link {}: {}; closing", sid, e.getMessage());
      fail(DisconnectReason.PARSE_ERROR, CloseReason.CloseCodes.PROTOCOL_ERROR, e.getMessage());
    }
  }

  private void open(String json) {
    if (opened) {
      throw new ProtocolException("a second Engine.IO open packet");
    }
    OpenPacket open = OpenPacket.parse(json, mapper);
    sid = open.sid();
    pingInterval = open.pingInterval();
    pingTimeout = open.pingTimeout();
    maxPayload = open.maxPayload();
    opened = true;
    log.debug("link {} open: pingInterval {} ms, pingTimeout {} ms", sid, pingInterval, pingTimeout);
    armWatchdog();
    listener.linkOpened(this);
  }

  private void message(String text) {
    if (pendingBinary != null) {
      throw new ProtocolException("text frame while binary attachments are pending");
    }
    Decoded decoded = codec.decode(text, Peer.SERVER);
    if (decoded instanceof Decoded.AwaitingAttachments awaiting) {
      pendingBinary = awaiting.assembly();
    } else if (decoded instanceof Decoded.Complete complete) {
      if (complete.packet() instanceof Packet.ConnectError error) {
        // The listener takes refusals apart from packets: the SSE link reports them from an HTTP answer.
        listener.linkConnectError(this, error);
      } else {
        listener.linkPacket(this, complete.packet());
      }
    }
  }

  private void armWatchdog() {
    Runnable previous = watchdog;
    if (previous != null) {
      previous.run();
    }
    long limit = pingInterval + pingTimeout;
    if (limit <= 0 || ended.get()) {
      return;
    }
    try {
      watchdog = timers.schedule(() -> {
        log.debug("link {}: no ping within {} ms", sid, limit);
        fail(DisconnectReason.PING_TIMEOUT, CloseReason.CloseCodes.GOING_AWAY, "no ping within " + limit + " ms");
      }, Duration.ofMillis(limit));
    } catch (RejectedExecutionException e) {
      // The client is closing; it ends this link itself.
    }
  }

  // ---- ending ----

  /** Reports the end once, stops the heartbeat watch; true for the caller that ended it. */
  private boolean end(DisconnectReason reason, int closeCode, String detail) {
    if (!ended.compareAndSet(false, true)) {
      return false;
    }
    Runnable beat = watchdog;
    if (beat != null) {
      beat.run();
    }
    if (!closing) {
      log.debug("link {} ended: {} ({})", sid, reason.wireName(), detail);
      listener.linkClosed(this, reason,
          closeCode > 0 ? TransportException.withCloseCode(detail, closeCode) : new TransportException(detail));
    }
    return true;
  }

  @Override
  public void fail(DisconnectReason reason, String detail) {
    fail(reason, reason == DisconnectReason.PARSE_ERROR ? CloseReason.CloseCodes.PROTOCOL_ERROR
        : CloseReason.CloseCodes.GOING_AWAY, detail);
  }

  /** Ends the link for a failure, and closes the socket now with this code. */
  private void fail(DisconnectReason reason, CloseReason.CloseCode code, String detail) {
    end(reason, code.getCode(), detail);
    stopped = true;
    closeSocket(new CloseReason(code, reason.wireName()));
  }

  /**
   * Closes the link on the client's behalf, without reporting it: the queued frames (a DISCONNECT, for
   * instance) are written first, then the socket is closed with 1000.
   */
  @Override
  public void closeAfterFlush() {
    closing = true;
    end(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT, CloseReason.CloseCodes.NORMAL_CLOSURE.getCode(),
        "client disconnect");
    queue.offer(new CloseRequest(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "client disconnect")));
  }

  /** Closes the socket now, dropping what is queued, without reporting it. */
  @Override
  public void abort() {
    closing = true;
    end(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT, CloseReason.CloseCodes.NORMAL_CLOSURE.getCode(), "aborted");
    stopped = true;
    closeSocket(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "client disconnect"));
  }

  /** Waits for the socket to be closed, if it was ever opened. */
  @Override
  public boolean awaitClosed(Duration timeout) throws InterruptedException {
    return socket == null || socketClosed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void closeSocket(CloseReason reason) {
    Session session = socket;
    if (session == null) {
      return;
    }
    try {
      if (session.isOpen()) {
        session.close(reason);
      } else {
        socketClosed.countDown();
      }
    } catch (IOException | RuntimeException e) {
      log.debug("link {}: close failed: {}", sid, e.toString());
      socketClosed.countDown();
    }
  }

  // ---- writing ----

  /**
   * Queues a Socket.IO packet, as encoded by the codec, taking its room in the outbound buffer if it counts
   * there ({@code size} not -1); dropped if the link has ended.
   *
   * @throws dev.parley.error.LimitExceededException if the outbound buffer is full; nothing is queued
   */
  private void send(WireFrame frame, long size) {
    if (stopped || closing) {
      return;
    }
    if (size >= 0) {
      buffer.take(size);
    }
    queue.offer(new Frame(frame, size));
  }

  private void sendText(String text) {
    if (stopped || closing) {
      return;
    }
    queue.offer(new Text(text));
  }

  private void sent(SendResult result) {
    if (!result.isOK()) {
      log.debug("link {}: send failed: {}", sid, String.valueOf(result.getException()));
      stopped = true;
      end(DisconnectReason.TRANSPORT_ERROR, 0, "send failed: " + result.getException());
      closeSocket(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "send failed"));
    }
    sending = false;
    queue.signal();
  }

  private void pass() {
    RemoteEndpoint.Async out = remote;
    while (out != null && !sending && !stopped) {
      WireFrame frame = current;
      if (frame != null) {
        List<byte[]> attachments = frame.attachments();
        if (nextAttachment < attachments.size()) {
          ByteBuffer bytes = ByteBuffer.wrap(attachments.get(nextAttachment++));
          sending = true;
          out.sendBinary(bytes, this::sent);
          continue;
        }
        current = null;
      }
      Out item = queue.poll();
      if (item == null) {
        break;
      }
      if (item instanceof CloseRequest close) {
        stopped = true;
        closeSocket(close.reason());
        break;
      }
      String text;
      if (item instanceof Frame packet) {
        if (packet.size() >= 0) {
          buffer.release(packet.size());
        }
        current = packet.frame();
        nextAttachment = 0;
        text = packet.frame().text();
      } else {
        text = ((Text) item).text();
      }
      sending = true;
      out.sendText(text, this::sent);
    }
    if (stopped) {
      current = null;
      queue.clear();
    }
  }

  // The WebSocket client refused a send (the socket is closing), or worse: the link ends, and the pass this
  // asks for drops what is queued.
  private void sendFailed(Throwable error) {
    log.debug("link {}: send refused: {}", sid, error.toString());
    sending = false;
    stopped = true;
    queue.signal();
    end(DisconnectReason.TRANSPORT_ERROR, 0, "send refused: " + error);
    closeSocket(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "send refused"));
  }
}
