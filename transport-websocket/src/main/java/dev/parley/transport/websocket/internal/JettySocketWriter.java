package dev.parley.transport.websocket.internal;

import dev.parley.protocol.socketio.WireFrame;
import dev.parley.spi.Connection;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSession;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.CloseException;
import org.jspecify.annotations.Nullable;

/**
 * The writer inside Jetty 12 (EE10): frames go to Jetty's core session, which queues them itself. Two costs of
 * the portable path disappear: a broadcast's text is converted to UTF-8 once and the bytes are shared by every
 * connection, and the frames of one batch are aggregated and flushed by a single write instead of one write
 * each. Only this class names Jetty types; it is loaded only when Jetty is on the class path.
 */
final class JettySocketWriter implements SocketWriter {
  private static final boolean AVAILABLE =
      present("org.eclipse.jetty.ee10.websocket.jakarta.common.JakartaWebSocketSession")
          && present("org.eclipse.jetty.websocket.core.CoreSession");

  private final CoreSession core;
  private final Consumer<Throwable> broken;

  private JettySocketWriter(CoreSession core, Consumer<Throwable> broken) {
    this.core = core;
    this.broken = broken;
  }

  /**
   * A Jetty writer for the socket, or null when the socket does not come from Jetty 12 EE10; {@code broken}
   * hears of a {@link Throwable} no batch callback can carry (one thrown by a callback itself).
   */
  static @Nullable SocketWriter of(jakarta.websocket.Session socket, Consumer<Throwable> broken) {
    if (AVAILABLE && socket instanceof JakartaWebSocketSession jetty) {
      return new JettySocketWriter(jetty.getCoreSession(), broken);
    }
    return null;
  }

  /** A writer on Jetty's core session (the core path: no Jakarta session at all). */
  static SocketWriter of(CoreSession core, Consumer<Throwable> broken) {
    return new JettySocketWriter(core, broken);
  }

  @Override
  public void send(List<WireFrame> frames, Connection.WriteCallback done) {
    Callback last = new Completion(done, broken);
    int remaining = 0;
    for (WireFrame frame : frames) {
      remaining += 1 + frame.attachments().size();
    }
    // A throw from here (out of memory while queuing) reaches the engine's outbox, which ends the connection.
    for (WireFrame frame : frames) {
      remaining--;
      send(new Frame(OpCode.TEXT, ByteBuffer.wrap(frame.utf8())), remaining == 0 ? last : null);
      for (byte[] attachment : frame.attachments()) {
        remaining--;
        send(new Frame(OpCode.BINARY, ByteBuffer.wrap(attachment)), remaining == 0 ? last : null);
      }
    }
  }

  // Every frame but the last is batched: Jetty aggregates them and the last one flushes them all at once.
  // A failure of a batched frame fails the frames after it too, so the last callback always hears of it.
  private void send(Frame frame, @Nullable Callback last) {
    core.sendFrame(frame, last == null ? Callback.NOOP : last, last == null);
  }

  @Override
  public void sendControl(String text) {
    try {
      core.sendFrame(new Frame(OpCode.TEXT, text), Callback.NOOP, false);
    } catch (Throwable e) {
      broken.accept(e);
    }
  }

  @Override
  public long weigh(WireFrame frame) {
    // This writer sends the UTF-8 bytes: made now, once, and shared with every connection the packet goes to.
    frame.utf8();
    return frame.size();
  }

  @Override
  public void close(int code, String phrase) {
    if (core.isOutputOpen()) {
      core.close(code, phrase, Callback.NOOP);
    }
  }

  @Override
  public void abort() {
    core.abort();
  }

  /**
   * The close code Jetty closes the socket with for {@code error}, given to an endpoint's {@code onError}: a
   * frame over the size limit (1009), a text that is not UTF-8 (1007) and the like; 0 for anything else.
   */
  static int closeCode(Throwable error) {
    return AVAILABLE && error instanceof CloseException close ? close.getStatusCode() : 0;
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, JettySocketWriter.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * A batch's completion. Jetty calls it on its own threads; whatever the engine's callback throws (an error
   * handing the next batch to a flush thread) would otherwise end in Jetty's log, or nowhere, and leave the
   * connection open with nothing more ever written: it goes to {@code broken}, which closes the socket.
   */
  record Completion(Connection.WriteCallback done, Consumer<Throwable> broken) implements Callback {
    @Override
    public void succeeded() {
      try {
        done.written();
      } catch (Throwable e) {
        broken.accept(e);
      }
    }

    @Override
    public void failed(Throwable error) {
      try {
        done.failed(error);
      } catch (Throwable e) {
        broken.accept(e);
      }
    }
  }
}
