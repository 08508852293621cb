package dev.parley.transport.websocket.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One packet as it goes on the WebSocket: an Engine.IO text frame and, for binary packets, the binary
 * frames that follow it. Shared by every connection a broadcast reaches; never modified.
 */
public final class WireFrame {
  private final String text;
  private final List<byte[]> attachments;
  // Filled on first use and then shared by every connection; two threads racing both compute the same
  // bytes, so the race is harmless and cheaper than a lock on the broadcast path.
  private byte @org.jspecify.annotations.Nullable [] utf8;

  public WireFrame(String text, List<byte[]> attachments) {
    this.text = text;
    this.attachments = List.copyOf(attachments);
  }

  /** The Engine.IO text frame. */
  public String text() {
    return text;
  }

  /** The text frame as UTF-8, encoded once however many connections send it. Callers must not modify it. */
  byte[] utf8() {
    byte[] bytes = utf8;
    if (bytes == null) {
      bytes = text.getBytes(StandardCharsets.UTF_8);
      utf8 = bytes;
    }
    return bytes;
  }

  /** The binary frames that follow the text frame, in order. */
  public List<byte[]> attachments() {
    return attachments;
  }

  @Override
  public String toString() {
    return "WireFrame[" + text + (attachments.isEmpty() ? "" : " + " + attachments.size() + " attachments") + "]";
  }
}
