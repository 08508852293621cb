package dev.parley.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 between the client and the server, so that a test can cut connections
 * abruptly ({@link #dropAll()}) or make them go silent ({@link #silenceAll()}) the way a network does,
 * while new connections keep working (unless {@link #refuse refused} for a while). Loopback only; closed
 * by {@link #close()}.
 */
final class LoopbackProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final List<Relay> relays = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final Thread acceptor;
  private volatile boolean closed;
  private volatile boolean refusing;

  /** One client connection and its server connection. */
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

  LoopbackProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "test-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** How many connections the proxy has accepted so far. */
  int accepted() {
    return accepted.get();
  }

  /** Closes every open connection at once, both sides, with no WebSocket close frame. */
  void dropAll() {
    for (Relay relay : relays) {
      relays.remove(relay);
      relay.close();
    }
  }

  /** While refusing, new connections are closed as soon as they are accepted (a server that is down). */
  void refuse(boolean refuse) {
    refusing = refuse;
  }

  /** Keeps every open connection open but stops carrying its bytes in either direction. */
  void silenceAll() {
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
          server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
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
      // Not try-with-resources: closing a socket's stream closes the socket, and a silent relay keeps it open.
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (!relay.silent) {
            out.write(buffer, 0, n);
            out.flush();
          }
        }
      } catch (SocketException e) {
        // Closed by dropAll() or by the other side.
      } catch (IOException e) {
        // The same, reported differently.
      } finally {
        if (relay.silent) {
          // A black hole tells neither side that the other has gone.
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
    dropAll();
  }
}
