package dev.parley.bench.reliability;

import dev.parley.testsupport.WebSocketFrames;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A WebSocket on a bare {@link Socket}, for attacks: it connects from a chosen loopback source address (so
 * that each attack has an IP address of its own, as distinct attackers would), sends a {@code nick} cookie
 * (the example chat's sign-in), writes frames from shared byte arrays (masked with the all-zero key, which
 * RFC 6455 allows the server to accept like any other, so a 900 KB payload is written without a copy), and
 * reads whole messages keeping only their first bytes: what a test needs to tell one answer from another.
 * It answers nothing by itself. Not thread-safe, except {@link #close()}.
 */
final class AttackSocket implements AutoCloseable {
  /** How a read ended when no message came. */
  enum End { CLOSE_FRAME, EOF, RESET, TIMEOUT }

  /**
   * One message from the server: its opcode (1 text, 2 binary, 8 close), its length, and its first bytes
   * as text; for a close frame, the code and reason.
   */
  record Message(int opcode, long length, String head, int closeCode, String closeReason) {
    boolean text() {
      return opcode == 1;
    }

    boolean close() {
      return opcode == 8;
    }
  }

  /** The upgrade was answered with something other than 101 (or the connection ended first). */
  static final class RefusedException extends IOException {
    private static final long serialVersionUID = 1L;
    final String answer;

    RefusedException(String answer) {
      super("upgrade refused: " + answer);
      this.answer = answer;
    }
  }

  private static final byte[] NO_MASK = new byte[4];
  private static final int KEEP = 256;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] skip = new byte[64 * 1024];
  private volatile boolean closed;
  private int nextAck;
  private long bytesRead;

  private AttackSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
  }

  /** A TCP connection from {@code source} to {@code target}, nothing written. */
  static Socket tcp(InetAddress source, InetSocketAddress target) throws IOException {
    Socket socket = new Socket();
    try {
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(target, 20_000);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * Upgrades at {@code /socket.io/?EIO=4&transport=websocket} with the cookie {@code nick} and reads
   * Engine.IO's open packet.
   *
   * @throws RefusedException with the status line if the upgrade is refused
   */
  static AttackSocket open(InetAddress source, InetSocketAddress target, String nick) throws IOException {
    Socket socket = tcp(source, target);
    socket.setSoTimeout(20_000);
    AttackSocket client = new AttackSocket(socket);
    try {
      String request = WebSocketFrames.upgradeRequest(target.getHostString(), target.getPort(), "Cookie: nick=" + nick);
      client.out.write(request.getBytes(StandardCharsets.US_ASCII));
      client.out.flush();
      String head;
      try {
        head = WebSocketFrames.readHead(client.in);
      } catch (IOException e) {
        throw new RefusedException("connection ended (" + e.getClass().getSimpleName() + ")");
      }
      if (!head.startsWith("HTTP/1.1 101")) {
        throw new RefusedException("HTTP " + head.lines().findFirst().orElse("").replaceFirst("^HTTP/1.1 ", ""));
      }
      Message open = client.read();
      if (open == null || !open.text() || !open.head().startsWith("0{")) {
        throw new RefusedException("no Engine.IO open packet: " + (open == null ? "ended" : open.head()));
      }
      return client;
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /** Joins namespace {@code /}: returns the server's answer (its first bytes), answering pings meanwhile. */
  String connect() throws IOException {
    sendText("40");
    return awaitText("4", Duration.ofSeconds(20));
  }

  /** The next ack id. */
  int nextAck() {
    return nextAck++;
  }

  /**
   * Reads until a text message starting with {@code prefix}, answering pings and skipping other messages.
   *
   * @throws EOFException if the connection ends or times out first, with how it ended
   */
  String awaitText(String prefix, Duration limit) throws IOException {
    long deadline = System.nanoTime() + limit.toNanos();
    for (;;) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new EOFException("no " + prefix + " within " + limit);
      }
      socket.setSoTimeout((int) Math.max(1, left));
      Message m;
      try {
        m = read();
      } catch (SocketTimeoutException e) {
        throw new EOFException("no " + prefix + " within " + limit);
      }
      if (m == null) {
        throw new EOFException("connection ended");
      }
      if (m.close()) {
        throw new EOFException(describe(m));
      }
      if (m.text() && m.head().equals("2")) {
        sendText("3");
      } else if (m.text() && m.head().startsWith(prefix)) {
        return m.head();
      }
    }
  }

  /** Sends one text message made of {@code parts}, written as they are. */
  void sendText(byte[]... parts) throws IOException {
    send(0x1, parts);
  }

  void sendText(String text) throws IOException {
    sendText(text.getBytes(StandardCharsets.UTF_8));
  }

  void sendBinary(byte[] payload) throws IOException {
    send(0x2, payload);
  }

  private synchronized void send(int opcode, byte[]... parts) throws IOException {
    long length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    WebSocketFrames.writeHeader(out, opcode, length, NO_MASK);
    for (byte[] part : parts) {
      out.write(part);
    }
    out.flush();
  }

  /**
   * The next whole message (fragments joined, only the first {@value #KEEP} bytes kept), or null when the
   * connection ended without a close frame.
   *
   * @throws SocketTimeoutException if none comes within the socket's timeout
   */
  @Nullable Message read() throws IOException {
    int opcode = -1;
    long total = 0;
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    for (;;) {
      int first = in.read();
      if (first < 0) {
        return null;
      }
      long length = WebSocketFrames.readLength(in, WebSocketFrames.readByte(in));
      int frameOpcode = first & 0x0f;
      boolean fin = (first & 0x80) != 0;
      if (frameOpcode >= 0x8) {
        byte[] payload = in.readNBytes((int) length);
        bytesRead += payload.length + 2;
        if (frameOpcode == 0x8) {
          int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
          String reason = payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
          return new Message(8, payload.length, "", code, reason);
        }
        continue;
      }
      if (frameOpcode != 0) {
        opcode = frameOpcode;
      }
      total += length;
      long left = length;
      while (left > 0) {
        int keep = Math.max(0, KEEP - head.size());
        int chunk = (int) Math.min(left, keep > 0 ? keep : skip.length);
        int n = in.read(skip, 0, chunk);
        if (n < 0) {
          throw new EOFException("connection ended inside a frame");
        }
        if (keep > 0) {
          head.write(skip, 0, Math.min(n, keep));
        }
        left -= n;
        bytesRead += n;
      }
      if (fin) {
        return new Message(opcode, total, head.toString(StandardCharsets.UTF_8), 0, "");
      }
    }
  }

  /** Bytes of WebSocket payload read so far. */
  long bytesRead() {
    return bytesRead;
  }

  /**
   * Reads until the connection ends, or until nothing has come for {@code quiet}, or for at most
   * {@code limit}; answers pings if {@code answerPings}; hands every message to {@code seen}.
   *
   * @return how it ended: {@code close <code> <reason>}, {@code closed (EOF)}, {@code closed (reset)}, or
   *     {@code open}
   */
  String drain(Duration quiet, Duration limit, boolean answerPings, java.util.function.Consumer<Message> seen) {
    long deadline = System.nanoTime() + limit.toNanos();
    try {
      for (;;) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return "open";
        }
        socket.setSoTimeout((int) Math.max(1, Math.min(left, quiet.toMillis())));
        Message m = read();
        if (m == null) {
          return "closed (EOF)";
        }
        if (m.close()) {
          return describe(m);
        }
        if (answerPings && m.text() && m.head().equals("2")) {
          sendText("3");
        }
        seen.accept(m);
      }
    } catch (SocketTimeoutException e) {
      return "open";
    } catch (IOException e) {
      return ended(e);
    }
  }

  /** How an I/O error ended a connection: {@code closed (reset)} or {@code closed (EOF)}. */
  String ended(IOException e) {
    if (closed) {
      return "still blocked, closed by the test";
    }
    if (e instanceof SocketException && String.valueOf(e.getMessage()).toLowerCase().contains("reset")) {
      return "closed (reset)";
    }
    if (e instanceof SocketException && String.valueOf(e.getMessage()).toLowerCase().contains("broken pipe")) {
      return "closed (reset)";
    }
    return "closed (EOF)";
  }

  static String describe(Message close) {
    return "close " + close.closeCode() + (close.closeReason().isEmpty() ? "" : " " + close.closeReason());
  }

  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException e) {
      // Already gone.
    }
  }

  /** Ends the connection with a TCP reset (SO_LINGER 0). */
  void reset() {
    closed = true;
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException e) {
      // Already gone.
    }
  }

}
