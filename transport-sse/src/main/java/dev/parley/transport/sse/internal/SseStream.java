package dev.parley.transport.sse.internal;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.protocol.sse.SseEncoder;
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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
  private static final Object COMPLETE = new Object();
  // What a handshake's answer weighs beyond the packet itself: the response head and the preamble.
  private static final long HANDSHAKE_WEIGHT = 256;

  private final SseServlet owner;
  private final AsyncContext async;
  private final HttpServletResponse response;
  private final ServletOutputStream out;
  private final String namespace;
  private final String token;
  // byte[] chunks, Runnables (response setup), WriteCallbacks (a batch is written) and COMPLETE.
  private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile @Nullable Session session;
  private volatile @Nullable Disposable heartbeat;
  private volatile DisconnectReason reason = DisconnectReason.TRANSPORT_CLOSE;
  private boolean dirty;
  // The response is set up as an event stream (set by the pump, read by the heartbeat).
  private volatile boolean opened;
  // Ending need not wait for the container to flush (the reader stopped reading).
  private volatile boolean abandon;
  // The engine removed the stream's channel: a disconnect event was queued.
  private volatile boolean channelGone;
  // The engine called close().
  private volatile boolean engineClosed;
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
      report(reason);
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
        queue.add((Runnable) () -> {
          owner.openResponse(response);
          opened = true;
        });
        queue.add(owner.preamble(channelId, session == null ? "" : session.id(), token));
      } else if (packet instanceof Packet.ConnectError error) {
        queue.add((Runnable) () -> owner.rejectResponse(response, error));
        queue.add(owner.errorBody(error));
        queue.add(COMPLETE);
      } else if (packet instanceof Packet.Disconnect) {
        // A stream carries one namespace: once its channel is gone the stream has nothing left to carry,
        // so it ends after the disconnect event. Nothing after that event is written.
        queue.add(outgoing.encoded(owner.encoder()));
        queue.add(done);
        channelGone = true;
        queue.add(COMPLETE);
        pump();
        return;
      } else if (packet instanceof Packet.Event) {
        queue.add(outgoing.encoded(owner.encoder()));
      }
    }
    queue.add(done);
    pump();
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
    queue.add(SseEncoder.PING);
    pump();
  }

  @Override
  public void close(DisconnectReason why) {
    reason = why;
    engineClosed = true;
    if (ended.get()) {
      // Ended after a disconnect event, and the engine now says why (it is shutting down).
      report(why);
      return;
    }
    if (why == DisconnectReason.SLOW_CONSUMER) {
      // The reader stopped reading: waiting to flush what is already handed to the container could take
      // until the idle timeout, holding the stream (and its session) open all that time.
      abandon = true;
    }
    // Anything still queued is dropped: the engine only closes once it has flushed what mattered.
    queue.clear();
    queue.add(COMPLETE);
    pump();
  }

  /** Ends the stream with an error answer before it opened (the server is not accepting). */
  void refuse(int status, String message) {
    queue.add((Runnable) () -> owner.errorResponse(response, status));
    queue.add(owner.json("{\"error\":\"" + message + "\"}"));
    queue.add(COMPLETE);
    pump();
  }

  @Override
  public void onWritePossible() {
    pump();
  }

  @Override
  public void onError(Throwable error) {
    log.debug("stream write failed: {}", error.toString());
    end(DisconnectReason.TRANSPORT_CLOSE, error);
  }

  // Serialised by wip: the container's onWritePossible and the engine's writes never write at once.
  private void pump() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    for (;;) {
      try {
        drain();
      } catch (IOException | IllegalStateException e) {
        // The container refuses the write: the client has gone.
        end(DisconnectReason.TRANSPORT_CLOSE, e);
      } catch (Throwable e) {
        // Anything else (out of memory while writing, a callback that throws) would leave this loop's
        // counter up and the stream open and mute for good: end it, and say why.
        try {
          broken(e);
        } catch (Throwable again) {
          e.addSuppressed(again);
        }
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  private void drain() throws IOException {
    while (!ended.get()) {
      Object item = queue.peek();
      if (item == null) {
        if (dirty && out.isReady()) {
          dirty = false;
          out.flush();
        }
        return;
      }
      if (item instanceof byte[] bytes) {
        if (!out.isReady()) {
          return;
        }
        queue.poll();
        if (bytes == SseEncoder.PING) {
          pingQueued.set(false);
        }
        if (bytes.length > 0) {
          out.write(bytes);
          dirty = true;
        }
      } else if (item instanceof WriteCallback callback) {
        queue.poll();
        callback.written();
      } else if (item instanceof Runnable setup) {
        queue.poll();
        setup.run();
      } else if (item == COMPLETE) {
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
        end(reason, null);
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
      // The engine tells each channel why before it queues the DISCONNECT packet that ends a stream (when it
      // disconnects one channel, and when it shuts down), so the reason given here cannot replace theirs.
      report(channelGone && error == null && !engineClosed ? DisconnectReason.SERVER_NAMESPACE_DISCONNECT : why);
      owner.forget(this);
      Disposable beat = heartbeat;
      if (beat != null) {
        beat.dispose();
      }
      Object item;
      while ((item = queue.poll()) != null) {
        if (item instanceof WriteCallback callback) {
          callback.failed(error != null ? error : new IOException("the stream is closed"));
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
