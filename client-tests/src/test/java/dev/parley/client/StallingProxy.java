package dev.parley.client;

import dev.parley.testsupport.Timeouts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP relay on 127.0.0.1 that can stop reading what clients send ({@link #stall()}) and go on later
 * ({@link #resume()}), losing nothing: a slow network, or a server that does not keep up, as the client
 * sees it. Once the operating system's buffers are full, the client's writes wait. What the server sends
 * is always relayed. Its threads are daemons; {@link #close()} ends them. Thread-safe.
 */
final class StallingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicReference<CountDownLatch> upstream = new AtomicReference<>(new CountDownLatch(0));
  private volatile boolean closed;

  StallingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    start(this::acceptLoop, "test-stalling-proxy-accept");
  }

  /** The base URL clients use. */
  URI url() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  /** Stops reading from the clients; what they send waits in the buffers, then in the clients. */
  void stall() {
    upstream.updateAndGet(gate -> gate.getCount() == 0 ? new CountDownLatch(1) : gate);
  }

  /** Relays what the clients sent meanwhile, and goes on relaying. */
  void resume() {
    upstream.get().countDown();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort),
            (int) Timeouts.CONNECT.toMillis());
        sockets.add(client);
        sockets.add(server);
        start(() -> pump(client, server, true), "test-stalling-proxy-up");
        start(() -> pump(server, client, false), "test-stalling-proxy-down");
      } catch (IOException e) {
        if (!closed) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  private void pump(Socket from, Socket to, boolean stallable) {
    byte[] buffer = new byte[8192];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      while (true) {
        if (stallable && !upstream.get().await(Timeouts.SLOW.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IOException("stalled for longer than a test may take");
        }
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // Closed by the other side or by close().
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void start(Runnable task, String name) {
    Thread thread = new Thread(task, name);
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
    resume();
    listener.close();
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
  }
}
