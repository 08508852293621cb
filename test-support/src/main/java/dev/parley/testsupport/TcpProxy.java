package dev.parley.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 in front of a server, so that a test can do to clients what a network does:
 * cut every connection at once ({@link #dropAll()}), make them go silent ({@link #silenceAll()}), refuse
 * new ones for a while ({@link #refuse(boolean)}), and send new ones to another server (another node, or
 * the same one restarted) without the client's URL changing ({@link #target(int)}). Loopback only; its
 * threads are daemons, and {@link #close()} ends them. Thread-safe.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final List<Relay> relays = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile int targetPort;
  private volatile boolean refusing;
  private volatile boolean closed;

  private static final class Relay {
    final Socket client;
    final Socket server;
    volatile boolean silent;

    Relay(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void close() {
      closeQuietly(client);
      closeQuietly(server);
    }
  }

  /**
   * Starts relaying to {@code targetPort} on 127.0.0.1 from a free local port.
   *
   * @throws IOException if no local port can be bound
   */
  public TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "test-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /** The base URL clients use, {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  /** Connections relayed so far. */
  public int accepted() {
    return accepted.get();
  }

  /** Relays new connections to another port from now on. */
  public void target(int port) {
    targetPort = port;
  }

  /** While refusing, new connections are closed as soon as they are accepted. */
  public void refuse(boolean refuse) {
    refusing = refuse;
  }

  /** Closes every open connection at once, both sides, with no WebSocket close frame. */
  public void dropAll() {
    for (Relay relay : relays) {
      relays.remove(relay);
      relay.close();
    }
  }

  /** Keeps every open connection open but stops carrying its bytes either way, as a dead network does. */
  public void silenceAll() {
    for (Relay relay : relays) {
      relay.silent = true;
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        if (refusing) {
          closeQuietly(client);
          continue;
        }
        Socket server = new Socket();
        try {
          server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort),
              (int) Timeouts.CONNECT.toMillis());
        } catch (IOException e) {
          closeQuietly(client);
          closeQuietly(server);
          continue;
        }
        accepted.incrementAndGet();
        Relay relay = new Relay(client, server);
        relays.add(relay);
        pump(relay, client, server, "up");
        pump(relay, server, client, "down");
      } catch (IOException e) {
        if (!closed) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  private void pump(Relay relay, Socket from, Socket to, String direction) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[8192];
      // Not try-with-resources: closing a socket's stream closes the socket, and a silent relay stays open.
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (relay.silent) {
          // A black hole tells neither side that the other has gone; only the side that ended is closed.
          closeQuietly(from);
        } else {
            out.write(buffer, 0, n);
            out.flush();
          }
        }
      } catch (IOException e) {
        // Closed by dropAll() or by the other side.
      } finally {
        if (relay.silent) {
          // A black hole tells neither side that the other has gone; only the side that ended is closed.
          closeQuietly(from);
        } else {
          relays.remove(relay);
          relay.close();
        }
      }
    }, "test-proxy-" + direction);
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Nothing to do.
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    for (Relay relay : relays) {
      relay.close();
    }
    relays.clear();
  }
}
