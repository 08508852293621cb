package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testsupport.SseParser;
import dev.parley.testsupport.SseParser.SseEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A stream request on a bare {@link Socket} that reads only when told to: a client that stops reading,
 * so that the TCP buffers between it and the server fill up. Decodes the HTTP/1.1 response (status line,
 * headers, chunked body) and parses the body with {@link SseParser}. Not thread-safe.
 */
final class RawSseSocket implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final List<SseEvent> events = new ArrayList<>();
  private final SseParser parser = new SseParser(events::add, comment -> { });
  private final ByteArrayOutputStream head = new ByteArrayOutputStream();
  private final byte[] buffer = new byte[8192];
  private boolean headDone;
  private int status;
  private boolean chunked;
  // Chunked decoding: bytes left in the current chunk, or -1 while reading a size line.
  private long chunkLeft = -1;
  private final StringBuilder sizeLine = new StringBuilder();
  private int crlfToSkip;
  private boolean eof;

  private RawSseSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  /**
   * Connects with a small receive buffer and sends {@code GET path} with {@code Accept: text/event-stream}.
   */
  static RawSseSocket open(InetSocketAddress address, String path, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    // Set before connecting, so the window the client advertises stays small.
    socket.setReceiveBufferSize(receiveBuffer);
    socket.connect(address, (int) SseTestClient.TIMEOUT.toMillis());
    String request = "GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
        + "\r\nAccept: text/event-stream\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return new RawSseSocket(socket);
  }

  /** Reads until {@code count} events have been parsed, for at most {@link SseTestClient#TIMEOUT}. */
  List<SseEvent> readEvents(int count) throws IOException {
    long deadline = System.nanoTime() + SseTestClient.TIMEOUT.toNanos();
    while (events.size() < count && !eof) {
      readOnce(deadline);
    }
    assertThat(events).as("events read from the raw stream").hasSizeGreaterThanOrEqualTo(count);
    return events;
  }

  /**
   * Reads everything until the server closes the connection, for at most {@link SseTestClient#TIMEOUT}.
   *
   * @return whether the end of the stream was reached (false: the server still holds it open)
   */
  boolean readToEnd() throws IOException {
    long deadline = System.nanoTime() + SseTestClient.TIMEOUT.toNanos();
    while (!eof && System.nanoTime() < deadline) {
      readOnce(deadline);
    }
    return eof;
  }

  int status() {
    return status;
  }

  List<SseEvent> events() {
    return events;
  }

  String lastEventId() {
    return parser.lastEventId();
  }

  private void readOnce(long deadline) throws IOException {
    long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    socket.setSoTimeout((int) Math.min(left, 500));
    int n;
    try {
      n = in.read(buffer);
    } catch (SocketTimeoutException e) {
      return;
    } catch (IOException e) {
      // A reset after the server aborted the connection ends the stream too.
      eof = true;
      return;
    }
    if (n < 0) {
      eof = true;
      return;
    }
    for (int i = 0; i < n; i++) {
      if (!headDone) {
        head(buffer[i]);
      } else {
        body(buffer[i]);
      }
    }
  }

  private void head(byte b) {
    head.write(b);
    String text = head.toString(StandardCharsets.ISO_8859_1);
    if (text.endsWith("\r\n\r\n")) {
      headDone = true;
      String[] lines = text.split("\r\n");
      status = Integer.parseInt(lines[0].split(" ")[1]);
      for (String line : lines) {
        if (line.toLowerCase(Locale.ROOT).replace(" ", "").equals("transfer-encoding:chunked")) {
          chunked = true;
        }
      }
    }
  }

  private void body(byte b) {
    if (!chunked) {
      parser.feed(new byte[] {b});
      return;
    }
    if (crlfToSkip > 0) {
      crlfToSkip--;
      return;
    }
    if (chunkLeft < 0) {
      if (b == '\n') {
        String size = sizeLine.toString().trim();
        int extension = size.indexOf(';');
        chunkLeft = Long.parseLong(extension < 0 ? size : size.substring(0, extension), 16);
        sizeLine.setLength(0);
        if (chunkLeft == 0) {
          eof = true;
        }
      } else {
        sizeLine.append((char) b);
      }
      return;
    }
    parser.feed(new byte[] {b});
    if (--chunkLeft == 0) {
      chunkLeft = -1;
      crlfToSkip = 2;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
