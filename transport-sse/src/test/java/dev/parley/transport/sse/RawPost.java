package dev.parley.transport.sse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A POST on a bare {@link Socket} whose body the test sends when it likes, a byte at a time if it wants:
 * with a {@code Content-Length} or chunked. A daemon thread reads what the server answers and notes when it
 * closes the connection, so a test can tell whether the answer came before the body was complete.
 */
final class RawPost implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final boolean chunked;
  private final AtomicInteger bodySent = new AtomicInteger();
  private final CompletableFuture<Response> response = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  /** The answer: its status and its body (as far as {@code Content-Length} says, or to the end). */
  record Response(int status, String head, String body, int bodyBytesSentBefore) {
    @Nullable String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  private RawPost(Socket socket, boolean chunked) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.chunked = chunked;
    Thread reader = new Thread(this::read, "raw-post-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Sends the request head of a JSON POST to {@code pathAndQuery}.
   *
   * @param contentLength the length to declare, or -1 for a chunked body
   * @param headers more header lines, name/value pairs
   */
  static RawPost start(InetSocketAddress address, String pathAndQuery, long contentLength, String... headers)
      throws IOException {
    Socket socket = new Socket();
    socket.connect(address, (int) SseTestClient.TIMEOUT.toMillis());
    socket.setTcpNoDelay(true);
    StringBuilder head = new StringBuilder("POST ").append(pathAndQuery).append(" HTTP/1.1\r\n")
        .append("Host: ").append(address.getHostString()).append(':').append(address.getPort()).append("\r\n")
        .append("Content-Type: application/json\r\n");
    if (contentLength < 0) {
      head.append("Transfer-Encoding: chunked\r\n");
    } else {
      head.append("Content-Length: ").append(contentLength).append("\r\n");
    }
    for (int i = 0; i < headers.length; i += 2) {
      head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    head.append("\r\n");
    socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return new RawPost(socket, contentLength < 0);
  }

  /** Sends more of the body (one chunk if chunked); false if the server has closed the connection. */
  boolean send(byte[] bytes) {
    try {
      synchronized (out) {
        if (chunked) {
          out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(bytes);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        } else {
          out.write(bytes);
        }
        out.flush();
      }
      bodySent.addAndGet(bytes.length);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  boolean send(String text) {
    return send(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Bytes of the body sent so far. */
  int bodySent() {
    return bodySent.get();
  }

  /** Completes with the server's answer. */
  CompletableFuture<Response> response() {
    return response;
  }

  /** Completes when the server closes the connection (or resets it). */
  CompletableFuture<Void> closed() {
    return closed;
  }

  private void read() {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      InputStream in = socket.getInputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        received.write(buffer, 0, n);
        parse(received.toString(StandardCharsets.ISO_8859_1), false);
      }
    } catch (IOException e) {
      // A reset ends it as well as a close.
    }
    parse(received.toString(StandardCharsets.ISO_8859_1), true);
    closed.complete(null);
  }

  private void parse(String text, boolean ended) {
    if (response.isDone()) {
      return;
    }
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      if (ended) {
        response.completeExceptionally(new IOException("closed before an answer: " + text));
      }
      return;
    }
    String head = text.substring(0, end);
    String body = text.substring(end + 4);
    int length = -1;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    if (length >= 0 && body.length() >= length) {
      body = body.substring(0, length);
    } else if (!ended) {
      return;
    }
    int status = Integer.parseInt(head.split(" ")[1]);
    response.complete(new Response(status, head, new String(body.getBytes(StandardCharsets.ISO_8859_1),
        StandardCharsets.UTF_8), bodySent.get()));
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
