package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.testsupport.Timeouts;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The Java {@code io.socket} client, connected and checked, for the tests that drive it. */
final class JavaClients {
  private JavaClients() {
  }

  /** Opens a socket to {@code url} and waits for CONNECT; fails the test on CONNECT_ERROR or no answer. */
  static Socket connect(String url, IO.Options options) throws InterruptedException {
    Socket socket = IO.socket(URI.create(url), options);
    BlockingQueue<Object> connected = new LinkedBlockingQueue<>();
    socket.once(Socket.EVENT_CONNECT, args -> connected.add(true));
    socket.once(Socket.EVENT_CONNECT_ERROR, args -> connected.add(args[0]));
    socket.connect();
    assertThat(connected.poll(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(true);
    return socket;
  }
}
