package dev.parley.containers;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.JakartaWebSocketServerContainer;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A plain Jetty 12 server on 127.0.0.1, any free port, with one EE10 {@link ServletContextHandler} at the root
 * whose initializers are the given ones and, where asked, Jetty's Jakarta WebSocket initializer. Jetty's types
 * stay inside this class: the test classes must load without them (in the Tomcat test run, Jetty is not on the
 * class path).
 */
final class EmbeddedJetty implements AutoCloseable {
  /** Marks where Jetty's Jakarta WebSocket initializer goes among the context's initializers. */
  static final ServletContainerInitializer JAKARTA_WEBSOCKET = (classes, context) -> { };

  private final Server server = new Server();
  private final ServerConnector connector = new ServerConnector(server);
  private final ServletContextHandler context = new ServletContextHandler("/");

  /**
   * @param initializers run in this order; {@link #JAKARTA_WEBSOCKET} stands for
   *     {@code JakartaWebSocketServletContainerInitializer.configure(context, null)}, the container's WebSocket
   *     support, which a context without it lacks
   */
  EmbeddedJetty(List<ServletContainerInitializer> initializers) {
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    for (ServletContainerInitializer initializer : initializers) {
      if (initializer == JAKARTA_WEBSOCKET) {
        JakartaWebSocketServletContainerInitializer.configure(context, null);
      } else {
        context.addServletContainerInitializer(initializer);
      }
    }
    server.setHandler(context);
  }

  /** Starts Jetty; throws what the context's start threw. */
  EmbeddedJetty start() throws Exception {
    server.start();
    return this;
  }

  int port() {
    return connector.getLocalPort();
  }

  ServletContext servletContext() {
    return context.getServletContext();
  }

  /** The WebSocket sessions open now in the context's Jakarta WebSocket container. */
  int openJakartaSessions() {
    return JakartaWebSocketServerContainer.getContainer(context.getServletContext()).getOpenSessions().size();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
