package dev.parley.transport.sse.internal;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.protocol.sse.SseEncoder;
import dev.parley.protocol.support.SerialDrain;
import dev.parley.spi.Connection;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Session;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * One open event stream, written with non-blocking Servlet I/O: queued chunks go out only while the
 * container says the stream is ready, so no thread waits on a slow reader.
 */
final class SseStream implements Connection, WriteListener, AsyncListener {
  private static final Logger log = LoggerFactory.getLogger(SseStream.class);

  /** What the stream writes, in order. */
  private sealed interface Item permits Bytes, Setup, Done, Complete {
  }

  /** Bytes of the body: events, the preamble, a heartbeat. */
  private record Bytes(byte[] bytes) implements Item {
  }

  /** Sets up the response (status and headers) before its first bytes. */
  private record Setup(Runnable step) implements Item {
  }

  /** The end of a batch: the engine hears that it is written. */
  private record Done(WriteCallback callback) implements Item {
  }

  /** Ends the stream once everything before it is flushed. */
  private record Complete() implements Item {
  }

  private static final Complete COMPLETE = new Complete();
  private static final Bytes PING = new Bytes(SseEncoder.PING);
  // What a handshake's answer weighs beyond the packet itself: the response head and the preamble.
  private static final long HANDSHAKE_WEIGHT = 256;

  private final SseServlet owner;
  private final AsyncContext async;
  private final HttpServletResponse response;
  private final ServletOutputStream out;
  private final String namespace;
  private final String token;
  // The container's onWritePossible and the engine's writes never write at once: one pass at a time.
  private final SerialDrain<Item> queue = new SerialDrain<>(Runnable::run, this::pass, this::broken);
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile @Nullable Session session;
  private volatile @Nullable Disposable heartbeat;
  private boolean dirty;
  // The response is set up as an event stream (set by the drain, read by the heartbeat).
  private volatile boolean opened;
  // Ending need not wait for the container to flush (the reader stopped reading).
  private volatile boolean abandon;
  // close() was called: the pass drops what is queued up to the end.
  private volatile boolean closing;
  // The engine removed the stream's channel: a disconnect event was queued.
  private volatile boolean channelGone;
  // Session.closed was called.
  private final AtomicBoolean reported = new AtomicBoolean();
  // A heartbeat is queued and not yet written: a reader that does not read gets no second one.
  private final AtomicBoolean pingQueued = new AtomicBoolean();

  SseStream(SseServlet owner, AsyncContext async, HttpServletResponse response, ServletOutputStream out,
            String namespace, String token) {
    this.owner = owner;
    this.async = async;
    this.response = response;
    this.out = out;
    this.namespace = namespace;
    this.token = token;
  }

  void bind(Session session, Disposable heartbeat) {
    this.session = session;
    this.heartbeat = heartbeat;
    if (ended.get()) {
      // Ended before it had a session (the container gave up on it at once): nothing else will report it.
      heartbeat.dispose();
      report(DisconnectReason.TRANSPORT_CLOSE);
    }
  }

  @Nullable Session session() {
    return session;
  }

  String namespace() {
    return namespace;
  }

  String token() {
    return token;
  }

  /** Chunks, callbacks and setup steps waiting to be written (for tests). */
  int queued() {
    return queue.size();
  }

  /** Whether the stream has ended: its token no longer works. */
  boolean ended() {
    return ended.get();
  }

  /**
   * The bytes the packet takes on this stream: its encoding, which this encodes (once for every stream, the
   * encoding is cached in the packet); a handshake's answer is weighed, not built.
   */
  @Override
  public long weigh(Outgoing outgoing) {
    Packet packet = outgoing.packet();
    if (packet instanceof Packet.Event || packet instanceof Packet.Disconnect) {
      return outgoing.encoded(owner.encoder()).length;
    }
    if (packet instanceof Packet.Connect || packet instanceof Packet.ConnectError) {
      return HANDSHAKE_WEIGHT + outgoing.estimatedSize();
    }
    return 0;
  }

  @Override
  public void write(List<Outgoing> batch, WriteCallback done) {
    if (ended.get()) {
      done.failed(new IOException("the stream is closed"));
      return;
    }
    try {
      enqueue(batch, done);
    } catch (Throwable e) {
      // Out of memory while encoding, an encoder bug: the stream cannot go on as if the batch had been sent.
      broken(e);
      done.failed(e);
    }
  }

  private void enqueue(List<Outgoing> batch, WriteCallback done) {
    for (Outgoing outgoing : batch) {
      Packet packet = outgoing.packet();
      if (packet instanceof Packet.Connect connect) {
        String channelId = connect.data() == null ? "" : connect.data().path("sid").asString("");
        queue.add(new Setup(() -> {
          owner.openResponse(response);
          opened = true;
        }));
        queue.add(new Bytes(owner.preamble(channelId, session == null ? "" : session.id(), token)));
      } else if (packet instanceof Packet.ConnectError error) {
        queue.add(new Setup(() -> owner.rejectResponse(response, error)));
        queue.add(new Bytes(owner.errorBody(error)));
        queue.add(COMPLETE);
      } else if (packet instanceof Packet.Disconnect) {
        // A stream carries one namespace: once its channel is gone the stream has nothing left to carry,
        // so it ends after the disconnect event. Nothing after that event is written.
        queue.add(new Bytes(outgoing.encoded(owner.encoder())));
        queue.add(new Done(done));
        channelGone = true;
        queue.offer(COMPLETE);
        return;
      } else if (packet instanceof Packet.Event) {
        queue.add(new Bytes(outgoing.encoded(owner.encoder())));
      }
    }
    queue.offer(new Done(done));
  }

  /**
   * Writes a heartbeat comment, once the stream is open, unless the last one is still waiting to be
   * written: a reader that stops reading is not sent a pile of them (the container's idle timeout ends its
   * stream once a write has made no progress that long).
   */
  void ping() {
    if (!opened || ended.get()) {
      // Before the handshake is answered a ping would commit the response with no status or content type
      // of its own: a slow middleware must not turn a stream into a bare 200, or a refusal into one.
      return;
    }
    if (!pingQueued.compareAndSet(false, true)) {
      return;
    }
    queue.offer(PING);
  }

  /**
   * Ends the stream. By the time the engine calls this it has settled the reason (see
   * {@link Connection#close}), so the stream reports its end as it sees it, at once, and an end it already
   * reported needs nothing more.
   */
  @Override
  public void close(DisconnectReason why) {
    if (ended.get()) {
      return;
    }
    if (why == DisconnectReason.SLOW_CONSUMER) {
      // The reader stopped reading: waiting to flush what is already handed to the container could take
      // until the idle timeout, holding the stream (and its session) open all that time.
      abandon = true;
    }
    // Anything still queued is dropped, by the pass: the engine only closes once it has flushed what
    // mattered. Clearing the queue from here could take away the item a running pass has just looked at,
    // and with it the end.
    closing = true;
    queue.offer(COMPLETE);
  }

  /** Ends the stream with an error answer before it opened (the server is not accepting). */
  void refuse(int status, String message) {
    queue.add(new Setup(() -> owner.errorResponse(response, status)));
    queue.add(new Bytes(owner.json("{\"error\":\"" + message + "\"}")));
    queue.offer(COMPLETE);
  }

  @Override
  public void onWritePossible() {
    queue.signal();
  }

  @Override
  public void onError(Throwable error) {
    log.debug("stream write failed: {}", error.toString());
    end(DisconnectReason.TRANSPORT_CLOSE, error);
  }

  // Anything else the pass throws (out of memory while writing, a callback that throws) goes to broken():
  // the stream ends rather than stay open and mute.
  private void pass() {
    try {
      drain();
    } catch (IOException | IllegalStateException e) {
      // The container refuses the write: the client has gone.
      end(DisconnectReason.TRANSPORT_CLOSE, e);
    }
  }

  private void drain() throws IOException {
    while (!ended.get()) {
      Item item = queue.peek();
      if (closing && item != null && item != COMPLETE) {
        queue.poll();
        continue;
      }
      if (item == null) {
        if (dirty && out.isReady()) {
          dirty = false;
          out.flush();
        }
        return;
      }
      if (item instanceof Bytes chunk) {
        if (!out.isReady()) {
          return;
        }
        queue.poll();
        if (chunk == PING) {
          pingQueued.set(false);
        }
        byte[] bytes = chunk.bytes();
        if (bytes.length > 0) {
          out.write(bytes);
          dirty = true;
        }
      } else if (item instanceof Done done) {
        queue.poll();
        done.callback().written();
      } else if (item instanceof Setup setup) {
        queue.poll();
        setup.step().run();
      } else {
        if (dirty && !abandon) {
          if (!out.isReady()) {
            return;
          }
          dirty = false;
          out.flush();
          if (!out.isReady()) {
            return;
          }
        }
        queue.poll();
        end(DisconnectReason.TRANSPORT_CLOSE, null);
      }
    }
  }

  // A failure of the server's own making, not the client's going away: logged once, then the stream ends.
  private void broken(Throwable error) {
    if (!ended.get()) {
      log.warn("writing to SSE stream of session {} failed; ending it", sessionId(), error);
    }
    end(DisconnectReason.TRANSPORT_ERROR, error);
  }

  private String sessionId() {
    Session current = session;
    return current == null ? "(none yet)" : current.id();
  }

  /**
   * Ends the stream, once: its token stops working (a POST that finds the stream ended is 404 even before it
   * is forgotten) and the engine learns it at once, before the container completes the response, so that by
   * the time the client sees the stream end the server holds nothing for it.
   */
  private void end(DisconnectReason why, @Nullable Throwable error) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    try {
      // Reported at once, as the stream saw its end: where the engine gave a reason (it closed the stream, or
      // removed the channel whose DISCONNECT ended it) that reason stands, by the contract of Session.closed.
      report(channelGone && error == null ? DisconnectReason.SERVER_NAMESPACE_DISCONNECT : why);
      owner.forget(this);
      Disposable beat = heartbeat;
      if (beat != null) {
        beat.dispose();
      }
      Item item;
      while ((item = queue.poll()) != null) {
        if (item instanceof Done done) {
          done.callback().failed(error != null ? error : new IOException("the stream is closed"));
        }
      }
    } finally {
      try {
        async.complete();
      } catch (IllegalStateException e) {
        log.debug("stream already complete");
      }
    }
  }

  /** Tells the engine the connection is gone, once. */
  private void report(DisconnectReason why) {
    Session current = session;
    if (current != null && reported.compareAndSet(false, true)) {
      try {
        current.closed(why);
      } catch (RuntimeException e) {
        log.warn("session {} failed to close", current.id(), e);
      }
    }
  }

  // ---- AsyncListener: the container's view of the request ----

  @Override
  public void onComplete(AsyncEvent event) {
    end(DisconnectReason.TRANSPORT_CLOSE, null);
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    end(DisconnectReason.TRANSPORT_CLOSE, null);
  }

  @Override
  public void onError(AsyncEvent event) {
    end(DisconnectReason.TRANSPORT_ERROR, event.getThrowable());
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
