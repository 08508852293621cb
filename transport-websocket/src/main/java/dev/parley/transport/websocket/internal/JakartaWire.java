package dev.parley.transport.websocket.internal;

import dev.parley.protocol.socketio.WireFrame;
import dev.parley.spi.Connection;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portable wire, for any Jakarta WebSocket 2.1 container (Tomcat, Undertow...): the API allows one
 * asynchronous send at a time, so frames and completion callbacks go through one queue, sent one after the
 * other. Each send converts the text to UTF-8 again; {@link JettyWire} avoids that where it can.
 */
final class JakartaWire implements FrameWire, SendHandler {
  private static final Logger log = LoggerFactory.getLogger(JakartaWire.class);

  private final RemoteEndpoint.Async remote;
  private final Consumer<Throwable> broken;
  // Strings (text frames), ByteBuffers (binary frames) and WriteCallbacks (a batch is done).
  private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean sending;
  private volatile boolean failed;
  private volatile @Nullable Throwable failure;

  /** {@code broken} hears of a {@link Throwable} that no batch callback can carry (one thrown by a callback). */
  JakartaWire(RemoteEndpoint.Async remote, Consumer<Throwable> broken) {
    this.remote = remote;
    this.broken = broken;
  }

  @Override
  public void send(List<WireFrame> frames, Connection.WriteCallback done) {
    for (WireFrame frame : frames) {
      queue.add(frame.text());
      for (byte[] attachment : frame.attachments()) {
        queue.add(ByteBuffer.wrap(attachment));
      }
    }
    queue.add(done);
    pump();
  }

  @Override
  public void sendControl(String text) {
    queue.add(text);
    pump();
  }

  @Override
  public void onResult(SendResult result) {
    if (!result.isOK()) {
      log.debug("send failed", result.getException());
      failure = result.getException();
      failed = true;
    }
    sending = false;
    pump();
  }

  // Serialised by wip; a send whose handler runs synchronously re-enters, bumps wip and returns. Nothing may
  // escape it: a throw would leave wip above zero, and this wire would never send again.
  private void pump() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    for (;;) {
      while (!sending && !failed) {
        Object item = queue.poll();
        if (item == null) {
          break;
        }
        if (item instanceof Connection.WriteCallback callback) {
          complete(callback, null);
        } else {
          sending = true;
          try {
            if (item instanceof String text) {
              remote.sendText(text, this);
            } else {
              remote.sendBinary((ByteBuffer) item, this);
            }
          } catch (RuntimeException e) {
            // The container refuses: the socket is closing or closed.
            sending = false;
            failed = true;
            log.debug("send refused", e);
          } catch (Throwable e) {
            // Out of memory, or worse: not the client's doing. The callbacks below end the connection, and
            // broken makes sure it ends even when no batch is waiting to hear of it.
            sending = false;
            failed = true;
            broken.accept(e);
          }
        }
      }
      if (failed) {
        Object item;
        while ((item = queue.poll()) != null) {
          if (item instanceof Connection.WriteCallback callback) {
            Throwable cause = failure;
            complete(callback, cause != null ? cause : new IOException("the WebSocket is closed"));
          }
        }
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }

  private void complete(Connection.WriteCallback callback, @Nullable Throwable error) {
    try {
      if (error == null) {
        callback.written();
      } else {
        callback.failed(error);
      }
    } catch (Throwable e) {
      failed = true;
      broken.accept(e);
    }
  }
}
