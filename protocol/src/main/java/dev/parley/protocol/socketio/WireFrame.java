package dev.parley.protocol.socketio;

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
  // The text's UTF-8 length plus the attachments' bytes, or -1 until first asked for; racing threads agree.
  private volatile long size = -1;

  public WireFrame(String text, List<byte[]> attachments) {
    this.text = text;
    this.attachments = List.copyOf(attachments);
  }

  /** The Engine.IO text frame. */
  public String text() {
    return text;
  }

  /** The text frame as UTF-8, encoded once however many connections send it. Callers must not modify it. */
  public byte[] utf8() {
    byte[] bytes = utf8;
    if (bytes == null) {
      bytes = text.getBytes(StandardCharsets.UTF_8);
      utf8 = bytes;
    }
    return bytes;
  }

  /**
   * The bytes this packet puts on the wire: its text frame as UTF-8 and its binary frames (frame headers not
   * counted). Uses the UTF-8 bytes if they were made already, else counts them without making them; cached.
   */
  public long size() {
    long bytes = size;
    if (bytes < 0) {
      byte[] encoded = utf8;
      bytes = encoded != null ? encoded.length : utf8Length(text);
      for (byte[] attachment : attachments) {
        bytes += attachment.length;
      }
      size = bytes;
    }
    return bytes;
  }

  /** How many bytes {@code text} takes as UTF-8 (a lone surrogate as the one byte {@code ?} it is sent as). */
  public static long utf8Length(String text) {
    long length = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        length++;
      } else if (c < 0x800) {
        length += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        length += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        length++;
      } else {
        length += 3;
      }
    }
    return length;
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
