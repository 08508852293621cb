package dev.parley.spring.boot.autoconfigure;

import dev.parley.ChatServer;
import dev.parley.spi.Mount;
import dev.parley.spi.Transport;
import jakarta.servlet.ServletContext;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * Ties a {@link ChatServer} to the application context: started when Boot's servlet container initialises, and
 * its transports mounted there ({@link #mount}); started with the context when there is no servlet container;
 * closed in the phase of Boot's graceful shutdown ({@value #PHASE}), beside the web server's: the web server
 * stops taking requests while the server lets in-flight posts and handlers finish (at most
 * {@code parley.shutdown-timeout}), then ends its streams, long-polls and sockets with "server shutting down", so
 * that the graceful shutdown need not wait out its timeout for them. Keep
 * {@code spring.lifecycle.timeout-per-shutdown-phase} above {@code parley.shutdown-timeout}.
 *
 * <p>Thread-safe: Spring calls it from the thread that refreshes or closes the context, and the container from
 * the thread that initialises it.
 */
public class ParleyLifecycle implements SmartLifecycle, DisposableBean {
  /** Boot's graceful-shutdown phase ({@code WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE}). */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

  private static final Logger log = LoggerFactory.getLogger(ParleyLifecycle.class);

  private final ChatServer server;
  private final List<Transport> transports;
  private volatile boolean running;

  /**
   * @param server the server to start and close
   * @param transports the transports to mount into the servlet container, all given to {@code server}
   */
  public ParleyLifecycle(ChatServer server, List<Transport> transports) {
    this.server = server;
    this.transports = List.copyOf(transports);
  }

  /**
   * Starts the server if it has not started, and mounts every transport in {@code servletContext}. Called by
   * the container while it initialises, before the context's own start.
   *
   * @throws IllegalStateException if the server cannot start, or a transport cannot be mounted
   */
  public synchronized void mount(ServletContext servletContext) {
    startServer();
    Mount mount = new Mount() {
      @Override
      public <T> Optional<T> unwrap(Class<T> type) {
        return type.isInstance(servletContext) ? Optional.of(type.cast(servletContext)) : Optional.empty();
      }
    };
    for (Transport transport : transports) {
      transport.mount(mount);
      log.info("Parley {} transport mounted in {}", transport.name(), servletContext.getServerInfo());
    }
  }

  @Override
  public synchronized void start() {
    startServer();
  }

  private void startServer() {
    if (!running) {
      server.start();
      running = true;
    }
  }

  /** Closes the server on a thread of its own, so that the web server's graceful shutdown runs beside it. */
  @Override
  public void stop(Runnable callback) {
    Thread closing = new Thread(() -> {
      try {
        stop();
      } finally {
        callback.run();
      }
    }, "parley-shutdown");
    closing.start();
  }

  @Override
  public synchronized void stop() {
    running = false;
    server.close();
  }

  /**
   * Closes the server if nothing has (a context whose refresh failed after the container started destroys its
   * beans without stopping them); a close after {@link #stop()} does nothing.
   */
  @Override
  public void destroy() {
    stop();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
