package dev.parley.transport.websocket.internal;

import dev.parley.spi.Connection.WriteCallback;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A long-poll held as an asynchronous Servlet request, answered with non-blocking Servlet I/O. */
final class ServletPoll implements HeldPoll {
  private static final Logger log = LoggerFactory.getLogger(ServletPoll.class);

  private final AsyncContext async;

  ServletPoll(AsyncContext async) {
    this.async = async;
  }

  @Override
  public void answer(byte[] body, WriteCallback done) {
    try {
      HttpServletResponse response = (HttpServletResponse) async.getResponse();
      response.setStatus(200);
      response.setContentType("text/plain; charset=UTF-8");
      response.setContentLength(body.length);
      ServletOutputStream out = response.getOutputStream();
      out.setWriteListener(new Writer(out, body, done));
    } catch (IOException | RuntimeException e) {
      // The request has gone (the client left, the container timed it out) before its answer could start.
      done.failed(e);
    }
  }

  @Override
  public void onGone(Owner owner) {
    async.addListener(new Gone(owner));
  }

  /** Writes one response, then completes the request and the batch. */
  private final class Writer implements WriteListener {
    private final ServletOutputStream out;
    private final byte[] bytes;
    private final WriteCallback done;
    private boolean started;
    private boolean finished;

    Writer(ServletOutputStream out, byte[] bytes, WriteCallback done) {
      this.out = out;
      this.bytes = bytes;
      this.done = done;
    }

    @Override
    public void onWritePossible() throws IOException {
      synchronized (this) {
        if (finished) {
          return;
        }
        if (!started) {
          started = true;
          out.write(bytes);
          if (!out.isReady()) {
            return;
          }
        }
        finished = true;
      }
      // The engine's callback is owed whatever complete() does: a lost one would leave the outbox waiting
      // on this batch for good.
      try {
        async.complete();
      } catch (IllegalStateException e) {
        done.failed(e);
        return;
      }
      done.written();
    }

    @Override
    public void onError(Throwable error) {
      synchronized (this) {
        if (finished) {
          return;
        }
        finished = true;
      }
      try {
        async.complete();
      } catch (IllegalStateException e) {
        log.debug("the request was completed already");
      }
      done.failed(error);
    }
  }

  /** Forgets a held GET the client abandoned. */
  private final class Gone implements AsyncListener {
    private final Owner owner;

    Gone(Owner owner) {
      this.owner = owner;
    }

    // Completed here, so that the container does not answer the abandoned GET with an error page of its own.
    private void forgetAndComplete() {
      owner.forget(ServletPoll.this);
      try {
        async.complete();
      } catch (IllegalStateException e) {
        log.debug("the request was completed already");
      }
    }

    @Override
    public void onError(AsyncEvent event) {
      forgetAndComplete();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      forgetAndComplete();
    }

    @Override
    public void onComplete(AsyncEvent event) {
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
    }
  }
}
