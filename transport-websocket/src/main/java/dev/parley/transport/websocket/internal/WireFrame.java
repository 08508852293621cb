package dev.parley.transport.websocket.internal;

import java.util.List;

/**
 * One packet as it goes on the WebSocket: an Engine.IO text frame and, for binary packets, the binary
 * frames that follow it. Shared by every connection a broadcast reaches; never modified.
 */
public record WireFrame(String text, List<byte[]> attachments) {
  public WireFrame {
    attachments = List.copyOf(attachments);
  }
}
