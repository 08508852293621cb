package dev.parley.transport.websocket.internal;

import dev.parley.spi.Connection;
import java.util.List;

/** How one WebSocket's frames reach the container: portable Jakarta sends, or Jetty's core session directly. */
interface FrameWire {

  /** Sends each frame (text, then its attachments) in order; {@code done} hears once all are written or one failed. */
  void send(List<WireFrame> frames, Connection.WriteCallback done);

  /** Sends one Engine.IO control frame (open, ping, pong); a failure shows up as the socket closing. */
  void sendControl(String text);
}
