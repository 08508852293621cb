package dev.parley.transport.sse.internal;

import dev.parley.spi.Admission;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * Reads one POST body with non-blocking Servlet I/O, so that a client sending it slowly holds no thread:
 * the container calls back as bytes arrive. The read ends one way only, whichever comes first: the whole
 * body (handed to {@code whole}), more than {@code maxPostBody} bytes (413), the deadline (408), or a failed
 * read (the client has gone). Until then the request holds a place of its address
 * ({@code maxConnectionsPerAddress}) and a timer; both are given back when the read ends. The body grows
 * with the bytes that arrive, never with a length the client claims.
 */
final class PostReader implements ReadListener {
  private static final Logger log = LoggerFactory.getLogger(PostReader.class);
  // The first buffer: a body grows from here as its bytes arrive.
  private static final int FIRST = 512;

  private final SseServlet owner;
  private final AsyncContext async;
  private final Consumer<byte[]> whole;
  private final Admission place;
  private final int limit;
  private @Nullable ServletInputStream in;
  private byte[] body;
  private int size;
  // Guarded by this: the container's callbacks and the deadline.
  private boolean done;
  private @Nullable Disposable deadline;

  PostReader(SseServlet owner, AsyncContext async, Consumer<byte[]> whole, Admission place, int limit,
             long contentLength) {
    this.owner = owner;
    this.async = async;
    this.whole = whole;
    this.place = place;
    this.limit = limit;
    // What the client claims is a hint for the first buffer only, never more than FIRST bytes.
    this.body = new byte[(int) Math.min(limit + 1L, contentLength >= 0 ? Math.min(contentLength, FIRST) : FIRST)];
  }

  /** Starts reading; the deadline runs from now. */
  void start(long timeoutMillis) {
    try {
      synchronized (this) {
        deadline = owner.schedule(this::expire, timeoutMillis);
      }
      ServletInputStream input = async.getRequest().getInputStream();
      in = input;
      input.setReadListener(this);
    } catch (IOException | RuntimeException e) {
      onError(e);
    }
  }

  @Override
  public void onDataAvailable() throws IOException {
    if (readSome()) {
      owner.tooLarge(async);
    }
  }

  // Reads what the container has, straight into the body; true if the body turned out too large (the read
  // is then over).
  private synchronized boolean readSome() throws IOException {
    ServletInputStream input = in;
    if (done || input == null) {
      return false;
    }
    while (input.isReady()) {
      if (size == body.length) {
        // Never more than one byte beyond the limit: enough to know the body is too large.
        body = Arrays.copyOf(body, (int) Math.min(limit + 1L, Math.max(FIRST, 2L * body.length)));
      }
      int n = input.read(body, size, body.length - size);
      if (n < 0) {
        // The end: onAllDataRead follows.
        return false;
      }
      size += n;
      if (size > limit) {
        finish();
        return true;
      }
    }
    return false;
  }

  @Override
  public void onAllDataRead() {
    byte[] complete;
    synchronized (this) {
      if (done) {
        return;
      }
      finish();
      complete = size == body.length ? body : Arrays.copyOf(body, size);
      body = complete;
    }
    try {
      whole.accept(complete);
    } catch (Throwable e) {
      owner.failed(async, e);
    }
  }

  @Override
  public void onError(Throwable error) {
    synchronized (this) {
      if (done) {
        return;
      }
      finish();
    }
    // The client went away mid-body, the container's idle timeout ended the read, or the server is stopping
    // (its timer refuses the deadline): there is seldom anyone left to answer.
    log.debug("reading a POST body failed: {}", error.toString());
    owner.unreadable(async, error);
  }

  private void expire() {
    synchronized (this) {
      if (done) {
        return;
      }
      finish();
    }
    log.debug("a POST body was not all there in time; {} bytes had come", size);
    owner.timedOut(async);
  }

  // Called under the lock, once: gives back what the read holds.
  private void finish() {
    done = true;
    Disposable timer = deadline;
    if (timer != null) {
      timer.dispose();
    }
    place.release();
    owner.readEnded();
  }
}
