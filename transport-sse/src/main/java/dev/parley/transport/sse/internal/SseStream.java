package dev.parley.transport.sse.internal;

import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.protocol.sse.SseEncoder;
import dev.parley.spi.Connection;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Session;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open event stream: what the engine writes, queued and written in order while the container can take it, so
 * that no thread waits on a slow reader. How the bytes reach the client is the container's: non-blocking Servlet
 * I/O ({@link ServletStream}) or Jetty's core API ({@link CoreStream}).
 */
abstract class SseStream implements Connection {
  private static final Logger log = LoggerFactory.getLogger(SseStream.class);

  /** What the stream writes, in order. */
  private sealed interface Item permits Bytes, Head, Done, Complete {
  }

  /** Bytes of the body: events, the preamble, a heartbeat. */
  private record Bytes(byte[] bytes) implements Item {
  }

  /** The response's status and content type, before its first bytes: an event stream, or a JSON error. */
  private record Head(int status, boolean eventStream) implements Item {
  }

  /** The end of a batch: the engine hears that it is written. */
  private record Done(WriteCallback callback) implements Item {
  }

  /** Ends the stream once everything before it is flushed. */
  private record Complete() implements Item {
  }

  private static final Complete COMPLETE = new Complete();
  private static final Bytes PING = new Bytes(SseEncoder.PING);
  private static final Head EVENT_STREAM = new Head(200, true);
  // What a handshake's answer weighs beyond the packet itself: the response head and the preamble.
  private static final long HANDSHAKE_WEIGHT = 256;

  // Bits of flags, set once each (through FLAGS: fields rather than an atomic object each, as there is a
  // stream per connection).
  private static final int ENDED = 1;
  // Session.closed was called.
  private static final int REPORTED = 2;
  // A heartbeat is queued and not yet written: a reader that does not read gets no second one.
  private static final int PING_QUEUED = 4;
  private static final VarHandle FLAGS;

  static {
    try {
      FLAGS = MethodHandles.lookup().findVarHandle(SseStream.class, "flags", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final SseServlet owner;
  private final String namespace;
  // The container's write-possible callbacks, the heartbeat and the engine's writes never write at once: one pass
  // at a time, on whichever thread asked while none ran. Guarded by this: the items waiting (null while there are
  // none, so that an idle stream holds no queue), whether a pass runs, and whether another was asked for meanwhile.
  // (A SerialDrain would do the same with a queue object, its nodes and three method references kept per stream:
  // about 0.16 KiB of an idle stream's 6.)
  private @Nullable ArrayDeque<Item> items;
  private boolean passing;
  private boolean again;
  private volatile int flags;
  private volatile @Nullable Session session;
  private boolean dirty;
  // The response is set up as an event stream (set by the drain, read by the heartbeat).
  private volatile boolean opened;
  // Ending need not wait for the container to flush (the reader stopped reading).
  private volatile boolean abandon;
  // close() was called: the pass drops what is queued up to the end.
  private volatile boolean closing;
  // The engine removed the stream's channel: a disconnect event was queued.
  private volatile boolean channelGone;
  // Why the stream ended, for the batches still queued then (set just after ENDED: a pass that runs in between
  // fails them with a plain IOException).
  private volatile @Nullable Throwable endedBy;

  SseStream(SseServlet owner, String namespace) {
    this.owner = owner;
    this.namespace = namespace;
  }

  // ---- the container's side ----

  /** Sets the response's status and content type (an event stream's headers too); before any bytes. */
  abstract void head(int status, boolean eventStream);

  /** Whether bytes can be written now; when not, the container calls {@link #writable()} once they can. */
  abstract boolean ready();

  /** Writes (or gathers) bytes; called only while {@link #ready()}. */
  abstract void send(byte[] bytes) throws IOException;

  /** Sends what {@link #send} gathered; called only while {@link #ready()}. */
  abstract void flush() throws IOException;

  /**
   * Ends the response: completed after what was flushed; or cut, when {@code abandon} (without waiting for a
   * reader that stopped reading) or after a failure ({@code error} not null).
   */
  abstract void finish(boolean abandon, @Nullable Throwable error);

  /** The container can take bytes again. */
  final void writable() {
    signal();
  }

  /** The container failed the stream (the client has gone, a write failed, the request timed out). */
  final void lost(DisconnectReason why, @Nullable Throwable error) {
    end(why, error);
  }

  // ---- the engine's side ----

  void bind(Session session) {
    this.session = session;
    if (ended()) {
      // Ended before it had a session (the container gave up on it at once): nothing else will report it.
      report(DisconnectReason.TRANSPORT_CLOSE);
    }
  }

  @Nullable Session session() {
    return session;
  }

  String namespace() {
    return namespace;
  }

  /** Chunks, callbacks and setup steps waiting to be written (for tests). */
  synchronized int queued() {
    return items == null ? 0 : items.size();
  }

  // ---- the queue: added to by any thread, taken from by the pass only ----

  private synchronized void add(Item item) {
    ArrayDeque<Item> waiting = items;
    if (waiting == null) {
      waiting = new ArrayDeque<>(4);
      items = waiting;
    }
    waiting.add(item);
  }

  private void offer(Item item) {
    add(item);
    signal();
  }

  private synchronized @Nullable Item peek() {
    return items == null ? null : items.peek();
  }

  private synchronized @Nullable Item poll() {
    return items == null ? null : items.poll();
  }

  /**
   * Asks for a pass: runs it here if none is running, else the running one is followed by another (a pass that asks
   * itself, through a callback that writes again, does not recurse). What a pass throws ends the stream.
   */
  private void signal() {
    synchronized (this) {
      if (passing) {
        again = true;
        return;
      }
      passing = true;
    }
    for (;;) {
      try {
        pass();
      } catch (Throwable e) {
        try {
          broken(e);
        } catch (Throwable alsoFailed) {
          Thread current = Thread.currentThread();
          current.getUncaughtExceptionHandler().uncaughtException(current, alsoFailed);
        }
      }
      synchronized (this) {
        if (!again) {
          passing = false;
          if (items != null && items.isEmpty()) {
            items = null;
          }
          return;
        }
        again = false;
      }
    }
  }

  /** Whether the stream has ended: its token no longer works. */
  boolean ended() {
    return (flags & ENDED) != 0;
  }

  private boolean set(int flag) {
    int current;
    do {
      current = flags;
      if ((current & flag) != 0) {
        return false;
      }
    } while (!FLAGS.compareAndSet(this, current, current | flag));
    return true;
  }

  private void clear(int flag) {
    int current;
    do {
      current = flags;
    } while (!FLAGS.compareAndSet(this, current, current & ~flag));
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
    if (ended()) {
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
        add(EVENT_STREAM);
        add(new Bytes(owner.preamble(channelId, session == null ? "" : session.id())));
      } else if (packet instanceof Packet.ConnectError error) {
        add(new Head(SseServlet.status(error.refusal()), false));
        add(new Bytes(owner.errorBody(error)));
        add(COMPLETE);
      } else if (packet instanceof Packet.Disconnect) {
        // A stream carries one namespace: once its channel is gone the stream has nothing left to carry,
        // so it ends after the disconnect event. Nothing after that event is written.
        add(new Bytes(outgoing.encoded(owner.encoder())));
        add(new Done(done));
        channelGone = true;
        offer(COMPLETE);
        return;
      } else if (packet instanceof Packet.Event) {
        add(new Bytes(outgoing.encoded(owner.encoder())));
      }
    }
    offer(new Done(done));
  }

  /**
   * Writes a heartbeat comment, once the stream is open, unless the last one is still waiting to be
   * written: a reader that stops reading is not sent a pile of them (the container's idle timeout ends its
   * stream once a write has made no progress that long).
   */
  void ping() {
    if (!opened || ended()) {
      // Before the handshake is answered a ping would commit the response with no status or content type
      // of its own: a slow middleware must not turn a stream into a bare 200, or a refusal into one.
      return;
    }
    if (!set(PING_QUEUED)) {
      return;
    }
    offer(PING);
  }

  /**
   * Ends the stream. By the time the engine calls this it has settled the reason (see
   * {@link Connection#close}), so the stream reports its end as it sees it, at once, and an end it already
   * reported needs nothing more.
   */
  @Override
  public void close(DisconnectReason why) {
    if (ended()) {
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
    offer(COMPLETE);
  }

  /** Ends the stream with an error answer before it opened (the server is not accepting). */
  void refuse(int status, String message) {
    add(new Head(status, false));
    add(new Bytes(owner.json("{\"error\":\"" + message + "\"}")));
    offer(COMPLETE);
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
    if (ended()) {
      failQueued();
    }
  }

  // Only the pass takes items off the queue: an end on another thread (a Jetty callback) that failed them itself
  // could fail a batch the pass has just seen and is telling the engine was written.
  private void failQueued() {
    Throwable error = endedBy;
    Item item;
    while ((item = poll()) != null) {
      if (item instanceof Done done) {
        done.callback().failed(error != null ? error : new IOException("the stream is closed"));
      }
    }
  }

  private void drain() throws IOException {
    while (!ended()) {
      Item item = peek();
      if (closing && item != null && item != COMPLETE) {
        poll();
        continue;
      }
      if (item == null) {
        if (dirty && ready()) {
          dirty = false;
          flush();
        }
        return;
      }
      if (item instanceof Bytes chunk) {
        if (!ready()) {
          return;
        }
        poll();
        if (chunk == PING) {
          clear(PING_QUEUED);
        }
        byte[] bytes = chunk.bytes();
        if (bytes.length > 0) {
          send(bytes);
          dirty = true;
        }
      } else if (item instanceof Done done) {
        poll();
        done.callback().written();
      } else if (item instanceof Head head) {
        poll();
        head(head.status(), head.eventStream());
        if (head.eventStream()) {
          opened = true;
        }
      } else {
        // The end waits for what is written to be out, not only handed over: a write still in flight (Jetty's
        // core API takes one at a time) would be cut off by ending the response under it.
        if (!abandon) {
          if (!ready()) {
            return;
          }
          if (dirty) {
            dirty = false;
            flush();
            if (!ready()) {
              return;
            }
          }
        }
        poll();
        end(DisconnectReason.TRANSPORT_CLOSE, null);
      }
    }
  }

  // A failure of the server's own making, not the client's going away: logged once, then the stream ends.
  private void broken(Throwable error) {
    if (!ended()) {
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
    if (!set(ENDED)) {
      return;
    }
    endedBy = error;
    try {
      // Reported at once, as the stream saw its end: where the engine gave a reason (it closed the stream, or
      // removed the channel whose DISCONNECT ended it) that reason stands, by the contract of Session.closed.
      report(channelGone && error == null ? DisconnectReason.SERVER_NAMESPACE_DISCONNECT : why);
      owner.forget(this);
    } finally {
      finish(abandon, error);
      // A pass fails what is still queued.
      signal();
    }
  }

  /** Tells the engine the connection is gone, once. */
  private void report(DisconnectReason why) {
    Session current = session;
    if (current != null && set(REPORTED)) {
      try {
        current.closed(why);
      } catch (RuntimeException e) {
        log.warn("session {} failed to close", current.id(), e);
      }
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
