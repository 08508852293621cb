package dev.parley.host.jetty;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's server connector, accepting connections without asking each for its {@link java.net.Socket} view:
 * Jetty's own accept sets TCP_NODELAY and the buffer sizes through {@code channel.socket()}, and the channel keeps
 * that adaptor (with its socket implementation and lock, about 0.1 KiB) for the connection's life. Here the same
 * options are set on the channel itself. Thread-safe, as Jetty's: each acceptor thread accepts on its own.
 */
final class HostConnector extends ServerConnector {
  private static final Logger log = LoggerFactory.getLogger(HostConnector.class);

  HostConnector(Server server, ConnectionFactory... factories) {
    super(server, factories);
  }

  /** Accepts one connection, sets its options and hands it to the selector manager; on an acceptor thread. */
  @Override
  public void accept(int acceptorId) throws IOException {
    ServerSocketChannel server = (ServerSocketChannel) getTransport();
    if (server == null || !server.isOpen()) {
      return;
    }
    SocketChannel channel = server.accept();
    try {
      channel.configureBlocking(false);
    } catch (IOException e) {
      // Gone already (reset by the client): nobody else would close it.
      channel.close();
      throw e;
    }
    option(channel, StandardSocketOptions.TCP_NODELAY, getAcceptedTcpNoDelay());
    if (getAcceptedReceiveBufferSize() > -1) {
      option(channel, StandardSocketOptions.SO_RCVBUF, getAcceptedReceiveBufferSize());
    }
    if (getAcceptedSendBufferSize() > -1) {
      option(channel, StandardSocketOptions.SO_SNDBUF, getAcceptedSendBufferSize());
    }
    getSelectorManager().accept(channel);
  }

  // As Jetty's: an option the channel refuses (it was reset meanwhile) is not worth failing the accept for.
  private static <T> void option(SocketChannel channel, SocketOption<T> option, T value) {
    try {
      channel.setOption(option, value);
    } catch (IOException | RuntimeException e) {
      log.trace("{} not set on an accepted connection", option.name(), e);
    }
  }
}
