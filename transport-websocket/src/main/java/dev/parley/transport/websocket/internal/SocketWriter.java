package dev.parley.transport.websocket.internal;

import dev.parley.protocol.socketio.WireFrame;
import dev.parley.spi.Connection;
import java.util.List;

/**
 * Writes one WebSocket's frames to the container: by portable Jakarta sends, or to Jetty's core session directly.
 * A writer never lets a {@link Throwable} of its own (an error in a completion callback, out of memory while
 * queuing) vanish: it fails the batch's callback, or reports it to the connection, which closes the socket.
 */
interface SocketWriter {

  /** Sends each frame (text, then its attachments) in order; {@code done} hears once all are written or one failed. */
  void send(List<WireFrame> frames, Connection.WriteCallback done);

  /**
   * Sends Engine.IO's open packet, the one frame that does not go through the engine's outbound buffer (it is
   * sent once, before the session can queue anything); a failure shows up as the socket closing.
   */
  void sendControl(String text);

  /** The bytes {@code frame} will hold in this writer's buffers. */
  default long weigh(WireFrame frame) {
    return frame.size();
  }

  /**
   * Starts the close handshake with {@code code} and {@code phrase} if the socket is still open, for a writer that
   * owns its socket (Jetty's core path); the Jakarta path closes through its session instead.
   *
   * @throws UnsupportedOperationException if this writer cannot close its socket
   */
  default void close(int code, String phrase) {
    throw new UnsupportedOperationException("this writer does not own its socket");
  }

  /** Drops the connection without a close handshake, when closing it properly failed; best effort. */
  default void abort() {
  }
}
