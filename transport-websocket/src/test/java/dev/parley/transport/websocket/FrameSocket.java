package dev.parley.transport.websocket;

import dev.parley.testsupport.WebSocketFrames;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client on a bare {@link Socket}, written frame by frame (RFC 6455, client frames masked), for
 * attacks no WebSocket library makes: it reads only when asked (so it can stop reading altogether, with a small
 * receive buffer so that the server's writes stall soon), sends frames in bulk, sends text frames that are not
 * UTF-8, and answers nothing by itself. Not thread-safe.
 */
final class FrameSocket implements AutoCloseable {
  static final int TEXT = WebSocketFrames.TEXT;
  static final int BINARY = WebSocketFrames.BINARY;
  static final int CLOSE = WebSocketFrames.CLOSE;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private FrameSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
  }

  /**
   * Upgrades to a WebSocket at {@code /socket.io/?EIO=4&transport=websocket} of {@code baseUrl}; reads the
   * 101 response and nothing else (Engine.IO's open packet is the first frame). A positive
   * {@code receiveBuffer} sets the socket's receive buffer before it connects.
   */
  static FrameSocket open(String baseUrl, int receiveBuffer) throws IOException {
    URI uri = URI.create(baseUrl);
    return connect(uri, receiveBuffer, WebSocketFrames.upgradeRequest("127.0.0.1", uri.getPort()));
  }

  /**
   * Opens a WebSocket that offers to take the long-polling session {@code sid} over (Engine.IO's upgrade: the
   * client's {@code 2probe} comes next); reads the 101 response and nothing else.
   */
  static FrameSocket probe(String baseUrl, String sid) throws IOException {
    URI uri = URI.create(baseUrl);
    return connect(uri, 0, WebSocketFrames.upgradeRequest("127.0.0.1", uri.getPort())
        .replace("transport=websocket", "transport=websocket&sid=" + sid));
  }

  private static FrameSocket connect(URI uri, int receiveBuffer, String upgrade) throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress("127.0.0.1", uri.getPort()), 5_000);
    socket.setSoTimeout(10_000);
    FrameSocket client = new FrameSocket(socket);
    client.out.write(upgrade.getBytes(StandardCharsets.US_ASCII));
    client.out.flush();
    String head = WebSocketFrames.readHead(client.in);
    if (!head.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("upgrade refused: " + head);
    }
    return client;
  }

  /** Sends {@code request} (an HTTP request, headers and all) and returns the whole response as text. */
  static String exchange(String baseUrl, String request) throws IOException {
    URI uri = URI.create(baseUrl);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", uri.getPort()), 5_000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.replace("{host}", "127.0.0.1:" + uri.getPort())
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      // The server closes after the answer (Connection: close), or the read times out: either ends it.
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      byte[] chunk = new byte[4096];
      try {
        for (int n; (n = socket.getInputStream().read(chunk)) >= 0; ) {
          response.write(chunk, 0, n);
          if (complete(response.toString(StandardCharsets.UTF_8))) {
            break;
          }
        }
      } catch (SocketTimeoutException e) {
        // what came is the answer
      }
      return response.toString(StandardCharsets.UTF_8);
    }
  }

  private static boolean complete(String response) {
    int end = response.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)")
        .matcher(response.substring(0, end));
    return length.find() && response.getBytes(StandardCharsets.UTF_8).length >= end + 4 + Integer.parseInt(length.group(1));
  }

  /** Queues a text frame; {@link #flush} sends what is queued. */
  FrameSocket text(String text) throws IOException {
    return frame(TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Queues a binary frame. */
  FrameSocket binary(byte[] bytes) throws IOException {
    return frame(BINARY, bytes);
  }

  /** Queues a frame of any opcode with any payload, a text frame of bytes that are not UTF-8 included. */
  FrameSocket frame(int opcode, byte[] payload) throws IOException {
    WebSocketFrames.writeMasked(out, opcode, payload);
    return this;
  }

  /** Sends what is queued. */
  void flush() throws IOException {
    out.flush();
  }

  /** Sends one text frame now. */
  void send(String text) throws IOException {
    text(text).flush();
  }

  /** The next text frame, skipping nothing; fails on a close or any other frame. */
  String nextText() throws IOException {
    Frame frame = next();
    if (frame.opcode != TEXT) {
      throw new IOException("expected a text frame, got " + frame);
    }
    return frame.text();
  }

  /**
   * Reads (and drops) every frame until the server's close frame, for up to 10 s: the close code, or -1 if the
   * connection ended without one.
   */
  int awaitClose() throws IOException {
    try {
      for (;;) {
        Frame frame = next();
        if (frame.opcode == CLOSE) {
          return frame.payload.length >= 2 ? ((frame.payload[0] & 0xff) << 8) | (frame.payload[1] & 0xff) : 1005;
        }
      }
    } catch (EOFException | java.net.SocketException e) {
      return -1;
    }
  }

  /** The next frame, whatever it is. */
  Frame next() throws IOException {
    int first = WebSocketFrames.readByte(in);
    long length = WebSocketFrames.readLength(in, WebSocketFrames.readByte(in));
    byte[] payload = in.readNBytes((int) length);
    if (payload.length < length) {
      throw new EOFException("connection ended inside a frame");
    }
    return new Frame(first & 0x0f, payload);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** One frame as received. */
  record Frame(int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "Frame[opcode " + opcode + ", " + payload.length + " bytes"
          + (opcode == TEXT ? ": " + text().substring(0, Math.min(80, text().length())) : "") + "]";
    }
  }
}
