package dev.parley.transport.websocket.internal;

import dev.parley.protocol.socketio.WireFrame;
import dev.parley.protocol.support.SerialDrain;
import dev.parley.spi.Connection;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portable writer, for any Jakarta WebSocket 2.1 container (Tomcat, Undertow...): the API allows one
 * asynchronous send at a time, so frames and completion callbacks go through one queue, sent one after the
 * other. Each send converts the text to UTF-8 again; {@link JettySocketWriter} avoids that where it can.
 */
final class JakartaSocketWriter implements SocketWriter, SendHandler {
  private static final Logger log = LoggerFactory.getLogger(JakartaSocketWriter.class);

  /** What the writer sends, in order: text and binary frames, and the end of a batch. */
  private sealed interface Item permits Text, Binary, Done {
  }

  private record Text(String text) implements Item {
  }

  private record Binary(ByteBuffer bytes) implements Item {
  }

  private record Done(Connection.WriteCallback callback) implements Item {
  }

  private final RemoteEndpoint.Async remote;
  private final Consumer<Throwable> broken;
  // A send whose handler runs synchronously asks for the next pass from inside this one: the drain serves it
  // after this pass returns, so the stack stays flat.
  private final SerialDrain<Item> queue = new SerialDrain<>(Runnable::run, this::pass, this::passFailed);
  private volatile boolean sending;
  private volatile boolean failed;
  private volatile @Nullable Throwable failure;

  /** {@code broken} hears of a {@link Throwable} that no batch callback can carry (one thrown by a callback). */
  JakartaSocketWriter(RemoteEndpoint.Async remote, Consumer<Throwable> broken) {
    this.remote = remote;
    this.broken = broken;
  }

  @Override
  public void send(List<WireFrame> frames, Connection.WriteCallback done) {
    for (WireFrame frame : frames) {
      queue.add(new Text(frame.text()));
      for (byte[] attachment : frame.attachments()) {
        queue.add(new Binary(ByteBuffer.wrap(attachment)));
      }
    }
    queue.offer(new Done(done));
  }

  @Override
  public void sendControl(String text) {
    queue.offer(new Text(text));
  }

  @Override
  public void onResult(SendResult result) {
    if (!result.isOK()) {
      log.debug("send failed", result.getException());
      failure = result.getException();
      failed = true;
    }
    sending = false;
    queue.signal();
  }

  private void pass() {
    while (!sending && !failed) {
      Item item = queue.poll();
      if (item == null) {
        break;
      }
      if (item instanceof Done done) {
        complete(done.callback(), null);
      } else {
        sending = true;
        try {
          if (item instanceof Text text) {
            remote.sendText(text.text(), this);
          } else {
            remote.sendBinary(((Binary) item).bytes(), this);
          }
        } catch (RuntimeException e) {
          // The container refuses: the socket is closing or closed.
          sending = false;
          failed = true;
          log.debug("send refused", e);
        }
      }
    }
    if (failed) {
      Item item;
      while ((item = queue.poll()) != null) {
        if (item instanceof Done done) {
          Throwable cause = failure;
          complete(done.callback(), cause != null ? cause : new IOException("the WebSocket is closed"));
        }
      }
    }
  }

  // Out of memory, or worse: not the client's doing. The callbacks end the connection, and broken makes sure
  // it ends even when no batch is waiting to hear of it.
  private void passFailed(Throwable error) {
    sending = false;
    failed = true;
    // Asked from inside the drain: the pass that fails the waiting callbacks runs once this one returns.
    queue.signal();
    broken.accept(error);
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
