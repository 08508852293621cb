package dev.parley.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The RFC 6455 pieces that hand-written WebSocket clients share, for tests that must control every byte a
 * library would write for them (stop reading, send frames in bulk, send text that is not UTF-8, reset the
 * connection): the upgrade request to Engine.IO's endpoint, the response head, and frame headers. Stateless.
 */
public final class WebSocketFrames {
  /** The opcode of a text frame. */
  public static final int TEXT = 0x1;
  /** The opcode of a binary frame. */
  public static final int BINARY = 0x2;
  /** The opcode of a close frame. */
  public static final int CLOSE = 0x8;

  private static final int MAX_HEAD = 16_384;

  private WebSocketFrames() {
  }

  /**
   * The HTTP/1.1 upgrade request for {@code /socket.io/?EIO=4&transport=websocket} on {@code host:port},
   * with a fresh key, {@code extraHeaders} (each a whole header line, no line end) and the blank line.
   */
  public static String upgradeRequest(String host, int port, String... extraHeaders) {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    StringBuilder request = new StringBuilder("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n")
        .append("Host: ").append(host).append(':').append(port).append("\r\n")
        .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
        .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n")
        .append("Sec-WebSocket-Version: 13\r\n");
    for (String header : extraHeaders) {
      request.append(header).append("\r\n");
    }
    return request.append("\r\n").toString();
  }

  /**
   * Reads an HTTP response head, up to and including its blank line.
   *
   * @throws IOException if the connection ends first or the head exceeds 16 KiB
   */
  public static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection ended inside a response head");
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > MAX_HEAD) {
        throw new IOException("response head over 16 KiB");
      }
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** Writes a final frame's header, client side: opcode, the mask bit, {@code length} and the 4-byte {@code mask}. */
  public static void writeHeader(OutputStream out, int opcode, long length, byte[] mask) throws IOException {
    out.write(0x80 | opcode);
    if (length < 126) {
      out.write(0x80 | (int) length);
    } else if (length < 65_536) {
      out.write(0x80 | 126);
      out.write((int) (length >>> 8));
      out.write((int) (length & 0xff));
    } else {
      out.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) (length >>> shift) & 0xff);
      }
    }
    out.write(mask);
  }

  /** Writes one final client frame with a random mask, the payload masked as RFC 6455 requires. */
  public static void writeMasked(OutputStream out, int opcode, byte[] payload) throws IOException {
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    writeHeader(out, opcode, payload.length, mask);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    out.write(masked);
  }

  /**
   * Reads the rest of a server frame's payload length, given the header's second byte.
   *
   * @throws EOFException if the connection ends inside the header
   */
  public static long readLength(InputStream in, int second) throws IOException {
    long length = second & 0x7f;
    if (length == 126) {
      length = ((long) readByte(in) << 8) | readByte(in);
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | readByte(in);
      }
    }
    return length;
  }

  /**
   * One byte of a frame.
   *
   * @throws EOFException if the connection has ended
   */
  public static int readByte(InputStream in) throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("connection ended inside a frame");
    }
    return b;
  }
}
