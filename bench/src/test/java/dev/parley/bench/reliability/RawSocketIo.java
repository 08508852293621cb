package dev.parley.bench.reliability;

import dev.parley.testsupport.WebSocketFrames;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A Socket.IO client on a bare {@link Socket}, written frame by frame (RFC 6455, client frames masked), so
 * that a test decides exactly what it does and does not do: stop answering pings, stop reading, never send
 * CONNECT, or end with a TCP reset instead of a close. It answers nothing by itself. Not thread-safe.
 */
final class RawSocketIo implements AutoCloseable {
  private static final Duration READ_LIMIT = Duration.ofSeconds(20);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private int nextAck;

  private RawSocketIo(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Opens a TCP connection to {@code address} and writes {@code bytes} as they are: no handshake. */
  static Socket rawTcp(InetSocketAddress address, String bytes) throws IOException {
    Socket socket = new Socket();
    socket.connect(address, (int) READ_LIMIT.toMillis());
    socket.getOutputStream().write(bytes.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return socket;
  }

  /**
   * Upgrades to a WebSocket at {@code /socket.io/?EIO=4&transport=websocket} and reads Engine.IO's open
   * packet; sends nothing else.
   *
   * @throws IOException if the upgrade is refused or the open packet does not come
   */
  static RawSocketIo open(InetSocketAddress address) throws IOException {
    Socket socket = new Socket();
    socket.connect(address, (int) READ_LIMIT.toMillis());
    socket.setSoTimeout((int) READ_LIMIT.toMillis());
    String request = WebSocketFrames.upgradeRequest(address.getHostString(), address.getPort());
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    RawSocketIo client = new RawSocketIo(socket);
    String head = WebSocketFrames.readHead(client.in);
    if (!head.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
    }
    String open = client.readText();
    if (open == null || !open.startsWith("0{")) {
      client.close();
      throw new IOException("expected Engine.IO's open packet, got " + open);
    }
    return client;
  }

  /** Connects to namespace {@code /} and waits for its CONNECT answer, answering pings meanwhile. */
  RawSocketIo connect() throws IOException {
    sendText("40");
    String answer = awaitText("40");
    if (!answer.startsWith("40{")) {
      throw new IOException("connect refused: " + answer);
    }
    return this;
  }

  /** Sends {@code 42<id><jsonArray>} and returns the ack's JSON array, answering pings meanwhile. */
  String emitWithAck(String jsonArray) throws IOException {
    int id = nextAck++;
    sendText("42" + id + jsonArray);
    return awaitText("43" + id + "[").substring(("43" + id).length());
  }

  /** Reads until a text frame starting with {@code prefix} arrives; pings are answered, other frames skipped. */
  String awaitText(String prefix) throws IOException {
    for (;;) {
      String text = readText();
      if (text == null) {
        throw new EOFException("closed while waiting for " + prefix);
      }
      if (text.equals("2")) {
        sendText("3");
      } else if (text.startsWith(prefix)) {
        return text;
      }
    }
  }

  /**
   * Reads frames until the server closes the WebSocket (a close frame) or the connection ends, answering
   * nothing, for at most {@code limit}.
   *
   * @return whether the server closed it within the limit
   */
  boolean awaitServerClose(Duration limit) throws IOException {
    socket.setSoTimeout((int) limit.toMillis());
    try {
      while (readText() != null) {
        // Pings and anything else go unanswered: this client plays dead.
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      // A reset also ends the connection.
      return true;
    }
  }

  /**
   * Reads frames until the server closes the WebSocket or the connection ends, answering every ping and
   * nothing else, for at most {@code limit}: a client that is alive but never gets on with it.
   *
   * @return whether the server closed it within the limit
   */
  boolean answerPingsUntilClosed(Duration limit) throws IOException {
    long deadline = System.nanoTime() + limit.toNanos();
    try {
      for (;;) {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
        String text = readText();
        if (text == null) {
          return true;
        }
        if (text.equals("2")) {
          sendText("3");
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** Sends one masked text frame. */
  void sendText(String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    // One write, so that the frame leaves in one segment.
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    WebSocketFrames.writeMasked(frame, WebSocketFrames.TEXT, payload);
    out.write(frame.toByteArray());
    out.flush();
  }

  /** The next text frame's payload; null once the server sent a close frame or the connection ended. */
  @Nullable String readText() throws IOException {
    for (;;) {
      int first = in.read();
      if (first < 0) {
        return null;
      }
      long length = WebSocketFrames.readLength(in, WebSocketFrames.readByte(in));
      byte[] payload = in.readNBytes((int) length);
      if (payload.length < length) {
        return null;
      }
      int opcode = first & 0x0f;
      if (opcode == 0x8) {
        return null;
      }
      if (opcode == 0x1) {
        return new String(payload, StandardCharsets.UTF_8);
      }
    }
  }

  /** Ends the connection with a TCP reset (SO_LINGER 0): no close frame, no FIN. */
  void reset() throws IOException {
    reset(socket);
  }

  /** Closes {@code socket} with a TCP reset. */
  static void reset(Socket socket) throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

}
