package dev.parley.transport.sse.internal;

import dev.parley.protocol.DisconnectReason;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event stream on an asynchronous Servlet response, written with non-blocking I/O: queued chunks go out only
 * while the container says the output is ready. The path in every Servlet container.
 */
final class ServletStream extends SseStream implements WriteListener, AsyncListener {
  private static final Logger log = LoggerFactory.getLogger(ServletStream.class);

  private final AsyncContext async;
  private final HttpServletResponse response;
  private final ServletOutputStream out;

  ServletStream(SseServlet owner, AsyncContext async, HttpServletResponse response, ServletOutputStream out,
                String namespace) {
    super(owner, namespace);
    this.async = async;
    this.response = response;
    this.out = out;
  }

  @Override
  void head(int status, boolean eventStream) {
    if (eventStream) {
      owner.openResponse(response);
    } else {
      owner.errorResponse(response, status);
    }
  }

  @Override
  boolean ready() {
    return out.isReady();
  }

  @Override
  void send(byte[] bytes) throws IOException {
    out.write(bytes);
  }

  @Override
  void flush() throws IOException {
    out.flush();
  }

  @Override
  void finish(boolean abandon, @Nullable Throwable error) {
    try {
      async.complete();
    } catch (IllegalStateException e) {
      log.debug("stream already complete");
    }
  }

  // ---- WriteListener ----

  @Override
  public void onWritePossible() {
    writable();
  }

  @Override
  public void onError(Throwable error) {
    log.debug("stream write failed: {}", error.toString());
    lost(DisconnectReason.TRANSPORT_CLOSE, error);
  }

  // ---- AsyncListener: the container's view of the request ----

  @Override
  public void onComplete(AsyncEvent event) {
    lost(DisconnectReason.TRANSPORT_CLOSE, null);
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    lost(DisconnectReason.TRANSPORT_CLOSE, null);
  }

  @Override
  public void onError(AsyncEvent event) {
    lost(DisconnectReason.TRANSPORT_ERROR, event.getThrowable());
  }

  @Override
  public void onStartAsync(AsyncEvent event) {
  }
}
