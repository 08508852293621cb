package dev.parley.transport.websocket.internal;

import dev.parley.DisconnectReason;
import dev.parley.spi.Connection;
import dev.parley.spi.Outgoing;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to one WebSocket without blocking: Jakarta allows one asynchronous send at a time, so engine
 * batches and Engine.IO control frames (open, ping) go through one queue, sent one after the other.
 */
final class WsConnection implements Connection, SendHandler {
  private static final Logger log = LoggerFactory.getLogger(WsConnection.class);

  private final Session socket;
  private final RemoteEndpoint.Async remote;
  private final SocketIoCodec codec;
  // Strings (text frames), ByteBuffers (binary frames) and WriteCallbacks (a batch is done).
  private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean sending;
  private volatile boolean failed;
  private volatile DisconnectReason closeReason = DisconnectReason.TRANSPORT_CLOSE;

  WsConnection(Session socket, SocketIoCodec codec) {
    this.socket = socket;
    this.remote = socket.getAsyncRemote();
    this.codec = codec;
  }

  @Override
  public void write(List<Outgoing> batch, WriteCallback done) {
    for (Outgoing packet : batch) {
      WireFrame frame = packet.encoded(codec);
      queue.add(frame.text());
      for (byte[] attachment : frame.attachments()) {
        queue.add(ByteBuffer.wrap(attachment));
      }
    }
    queue.add(done);
    pump();
  }

  /** Queues an Engine.IO control frame (open, ping). */
  void sendControl(String text) {
    queue.add(text);
    pump();
  }

  /** Why the server closed the socket, or TRANSPORT_CLOSE if the client did. */
  DisconnectReason closeReason() {
    return closeReason;
  }

  @Override
  public void close(DisconnectReason reason) {
    closeReason = reason;
    close(codeFor(reason), reason.wireName());
  }

  void close(CloseReason.CloseCode code, String phrase) {
    try {
      if (socket.isOpen()) {
        socket.close(new CloseReason(code, phrase));
      }
    } catch (IOException | IllegalStateException e) {
      log.debug("close failed", e);
    }
  }

  static CloseReason.CloseCode codeFor(DisconnectReason reason) {
    return switch (reason) {
      case SLOW_CONSUMER -> CloseReason.CloseCodes.VIOLATED_POLICY;
      case PARSE_ERROR -> CloseReason.CloseCodes.PROTOCOL_ERROR;
      case SERVER_SHUTTING_DOWN, PING_TIMEOUT -> CloseReason.CloseCodes.GOING_AWAY;
      default -> CloseReason.CloseCodes.NORMAL_CLOSURE;
    };
  }

  @Override
  public void onResult(SendResult result) {
    if (!result.isOK()) {
      failed = true;
      log.debug("send failed", result.getException());
      Object item;
      while ((item = queue.poll()) != null) {
        if (item instanceof WriteCallback callback) {
          callback.failed(result.getException());
        }
      }
    }
    sending = false;
    pump();
  }

  // Serialised by wip; a send whose handler runs synchronously re-enters, bumps wip and returns.
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
        if (item instanceof WriteCallback callback) {
          callback.written();
        } else {
          sending = true;
          try {
            if (item instanceof String text) {
              remote.sendText(text, this);
            } else {
              remote.sendBinary((ByteBuffer) item, this);
            }
          } catch (RuntimeException e) {
            sending = false;
            failed = true;
            log.debug("send refused", e);
          }
        }
      }
      if (failed) {
        Object item;
        while ((item = queue.poll()) != null) {
          if (item instanceof WriteCallback callback) {
            callback.failed(new IOException("the WebSocket is closed"));
          }
        }
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }
}
