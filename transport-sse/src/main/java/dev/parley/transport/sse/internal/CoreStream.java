package dev.parley.transport.sse.internal;

import dev.parley.protocol.DisconnectReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * An event stream on Jetty's core API ({@link CoreStreams}): the response and the request's callback, nothing of
 * the Servlet layer. One write at a time, as Jetty allows: what the stream sends while one is in flight is
 * gathered and goes in the next.
 */
final class CoreStream extends SseStream implements Callback, Consumer<Throwable> {
  // A batch larger than this goes out without waiting for the end of the queue.
  private static final int GATHER_LIMIT = 32 * 1024;
  // The same header fields on every stream: shared, not made per response.
  private static final HttpField EVENT_STREAM = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE,
      "text/event-stream;charset=utf-8");
  private static final HttpField NO_CACHE = new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-cache");
  private static final HttpField NO_PROXY_BUFFERING = new PreEncodedHttpField("X-Accel-Buffering", "no");
  private static final HttpField JSON = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE,
      "application/json;charset=utf-8");

  private final Response response;
  private final Callback done;
  // A write is in flight: Jetty calls back (succeeded or failed) when it is over.
  private volatile boolean writing;
  // What send gathered since the last flush: the first chunk as it is, more in a buffer (the drain's only).
  private byte @Nullable [] single;
  private @Nullable ByteArrayOutputStream gathered;

  CoreStream(SseServlet owner, Response response, Callback done, String namespace) {
    super(owner, namespace);
    this.response = response;
    this.done = done;
  }

  @Override
  void head(int status, boolean eventStream) {
    response.setStatus(status);
    HttpFields.Mutable headers = response.getHeaders();
    if (eventStream) {
      headers.put(EVENT_STREAM);
      headers.put(NO_CACHE);
      headers.put(NO_PROXY_BUFFERING);
    } else {
      headers.put(JSON);
    }
  }

  @Override
  boolean ready() {
    return !writing;
  }

  @Override
  void send(byte[] bytes) throws IOException {
    byte[] first = single;
    ByteArrayOutputStream more = gathered;
    if (first == null && more == null) {
      single = bytes;
      return;
    }
    if (more == null) {
      more = new ByteArrayOutputStream(first.length + bytes.length);
      more.writeBytes(first);
      single = null;
      gathered = more;
    }
    more.writeBytes(bytes);
    if (more.size() >= GATHER_LIMIT) {
      flush();
    }
  }

  @Override
  void flush() {
    byte[] bytes = single != null ? single : gathered != null ? gathered.toByteArray() : null;
    single = null;
    gathered = null;
    if (bytes != null) {
      writing = true;
      response.write(false, ByteBuffer.wrap(bytes), this);
    }
  }

  @Override
  void finish(boolean abandon, @Nullable Throwable error) {
    if (abandon || writing || error != null) {
      // A reader that stopped reading, a write still in flight or a failure: the response cannot end cleanly,
      // the connection goes.
      done.failed(error != null ? error : new EofException("event stream abandoned"));
    } else {
      done.succeeded();
    }
  }

  /**
   * The request failed: the client went away, or Jetty gave up on the connection (the stream is the request's
   * failure listener itself, rather than a lambda per stream).
   */
  @Override
  public void accept(Throwable failure) {
    lost(DisconnectReason.TRANSPORT_CLOSE, failure);
  }

  // ---- Callback: a write is over ----

  @Override
  public void succeeded() {
    writing = false;
    writable();
  }

  @Override
  public void failed(Throwable failure) {
    writing = false;
    lost(DisconnectReason.TRANSPORT_CLOSE, failure);
  }
}
