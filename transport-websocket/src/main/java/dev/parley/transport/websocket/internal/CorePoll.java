package dev.parley.transport.websocket.internal;

import dev.parley.spi.Connection.WriteCallback;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * A long-poll held on Jetty's core API ({@link CoreRequests}): the response and the request's callback, nothing of
 * the Servlet layer. Jetty completes the request with the answer's last write.
 */
final class CorePoll implements HeldPoll, Consumer<Throwable> {
  // As Jetty's Servlet layer writes the type the Servlet path sets, so that both paths answer alike.
  static final HttpField TEXT = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");

  private final Response response;
  private final Callback callback;
  private volatile @Nullable Owner owner;
  // The request failed, maybe before the session registered what to run then.
  private volatile boolean failed;

  CorePoll(Request request, Response response, Callback callback) {
    this.response = response;
    this.callback = callback;
    request.addFailureListener(this);
    // Jetty's idle timeout would fail a request held with nothing to write (a 500 for the client, which would take it
    // for the end of its transport); the heartbeat answers a held GET within pingInterval, as on the Servlet path,
    // where the container's timeout is off.
    request.addIdleTimeoutListener(timeout -> false);
  }

  @Override
  public void answer(byte[] body, WriteCallback done) {
    response.setStatus(200);
    response.getHeaders().put(TEXT);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), new Callback() {
      @Override
      public void succeeded() {
        callback.succeeded();
        done.written();
      }

      @Override
      public void failed(Throwable failure) {
        callback.failed(failure);
        done.failed(failure);
      }
    });
  }

  @Override
  public void onGone(Owner owner) {
    this.owner = owner;
    if (failed) {
      // Failed while the session was taking it: forgetting twice is harmless, never forgetting is not.
      owner.forget(this);
    }
  }

  /**
   * The request failed before it was answered (the client went away, or Jetty gave up on the connection): the
   * session forgets it, and the request ends.
   */
  @Override
  public void accept(Throwable failure) {
    failed = true;
    Owner holder = owner;
    if (holder != null) {
      holder.forget(this);
    }
    callback.failed(failure);
  }
}
