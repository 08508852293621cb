package dev.parley.transport.websocket.internal;

import dev.parley.protocol.DisconnectReason;
import dev.parley.spi.Inbound;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A polling session's POST body as it is read, on whichever API reads it ({@link Polling}'s Servlet reader or
 * {@link CoreRequests}): at most {@code maxPayload} bytes, each part held against the inbound budget as it
 * arrives, then its packets handed to the session. Whatever goes wrong (too large, no room in the budget, a read
 * failure, the session ending, the body not all there in time) ends the session, and the POST is answered once.
 * Thread-safe: the reader's callbacks, a timer and the session's end may call it at once.
 */
final class PostBody {
  private static final Logger log = LoggerFactory.getLogger(PostBody.class);

  /** How a POST is answered, on the API that reads it; each call answers and completes the request. */
  interface Reply {
    /** Answers 200 with Engine.IO's {@code ok}. */
    void ok();

    /** Answers Engine.IO's JSON error {@code {"code":…,"message":…}} with {@code status}. */
    void error(int status, int code, String message);
  }

  private final Polling polling;
  private final PollingSession session;
  private final Inbound hold;
  private final Reply reply;
  private final int maxPayload;
  private final long maxInboundBytes;
  private final String via;
  // Null once done with: a body that was abandoned keeps nothing of what had come.
  private @Nullable ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private boolean done;
  private @Nullable Runnable onDone;

  PostBody(Polling polling, PollingSession session, Inbound hold, Reply reply, int maxPayload, long maxInboundBytes,
           String via) {
    this.polling = polling;
    this.session = session;
    this.hold = hold;
    this.reply = reply;
    this.maxPayload = maxPayload;
    this.maxInboundBytes = maxInboundBytes;
    this.via = via;
  }

  /**
   * Runs {@code then} once the body is done with, whichever way (at once if it is): the reader cancels its
   * deadline there.
   */
  void onDone(Runnable then) {
    synchronized (this) {
      if (!done) {
        onDone = then;
        return;
      }
    }
    then.run();
  }

  /**
   * Takes the next part of the body.
   *
   * @return whether to read on: false once the body is over its limits (answered, the session ended) or done with
   */
  boolean take(ByteBuffer part) {
    Runnable then;
    synchronized (this) {
      if (done) {
        return false;
      }
      if (add(part)) {
        return true;
      }
      then = onDone;
    }
    if (then != null) {
      then.run();
    }
    return false;
  }

  // Guarded by this, not done. Whether to read on; if not, the body is done with and answered.
  private boolean add(ByteBuffer part) {
    ByteArrayOutputStream bytes = this.bytes;
    int n = part.remaining();
    if (part.hasArray()) {
      bytes.write(part.array(), part.arrayOffset() + part.position(), n);
      part.position(part.limit());
    } else {
      byte[] copy = new byte[n];
      part.get(copy);
      bytes.write(copy, 0, n);
    }
    int size = bytes.size();
    if (size > maxPayload) {
      finish();
      polling.tooLarge(session);
      reply.error(413, 3, "Payload too large");
      return false;
    }
    if (!hold.grow(n)) {
      finish();
      overBudget(size);
      return false;
    }
    return true;
  }

  // The body does not fit in the inbound budget: over maxInboundBytes alone it never could (as for a packet over it
  // once parsed), else the connection's packets not yet handled or the node's leave it no room. Either way the
  // session ends: its client takes any answer but "ok" as the end of the transport.
  private void overBudget(int size) {
    if (size > maxInboundBytes) {
      log.debug("a POST body over maxInboundBytes ({} bytes); closing the session", maxInboundBytes);
      session.fail(DisconnectReason.MESSAGE_TOO_LARGE);
      reply.error(400, 3, "Bad request");
    } else {
      log.debug("no room in the inbound budget for a POST body of {} bytes so far; closing the session", size);
      session.fail(DisconnectReason.TRANSPORT_ERROR);
      reply.error(503, 3, "Server busy");
    }
  }

  /** The whole body is there: its packets go to the session, and the POST is answered. */
  void complete() {
    Runnable then;
    synchronized (this) {
      ByteArrayOutputStream all = bytes;
      if (done || all == null) {
        return;
      }
      String text = all.toString(StandardCharsets.UTF_8);
      finish();
      log.debug("a POST body of {} bytes read on {}", all.size(), via);
      if (session.posted(text)) {
        reply.ok();
      } else {
        reply.error(400, 3, "Bad request");
      }
      then = onDone;
    }
    if (then != null) {
      then.run();
    }
  }

  /** The body will not come ({@code why}): the session ends, and the POST hears 400 if it still can. */
  void abandon(String why) {
    Runnable then;
    synchronized (this) {
      if (done) {
        return;
      }
      finish();
      log.debug("{}; closing the session", why);
      session.fail(DisconnectReason.TRANSPORT_ERROR);
      try {
        reply.error(400, 3, "Bad request");
      } catch (RuntimeException e) {
        log.debug("no answer to the POST: {}", e.toString());
      }
      then = onDone;
    }
    if (then != null) {
      then.run();
    }
  }

  /** The session ended while the body was being read: it is not waited for. */
  void ended() {
    abandon("the session ended while its POST body was being read");
  }

  /** Whether the body is done with, whichever way. */
  synchronized boolean done() {
    return done;
  }

  // Once: the read is over. The body's bytes are given back here: from now on each packet it carries is admitted on
  // its own, or the body is dropped.
  private void finish() {
    done = true;
    bytes = null;
    hold.cancel();
    polling.bodyEnded();
  }
}
