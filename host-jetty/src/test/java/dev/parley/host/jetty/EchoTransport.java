package dev.parley.host.jetty;

import dev.parley.spi.Mount;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import reactor.core.publisher.Mono;

/**
 * A test transport that mounts only through the portable hooks: a servlet at {@code /hello}, a
 * servlet at {@code /hang} that blocks until interrupted, and a WebSocket echo endpoint at
 * {@code /echo}.
 */
final class EchoTransport implements Transport {
  volatile boolean mounted;
  volatile boolean containerPublishedAsAttribute;
  /** Counts down when a {@code /hang} request has arrived. */
  final CountDownLatch hanging = new CountDownLatch(1);

  @Override
  public String name() {
    return "test-echo";
  }

  @Override
  public Mono<Void> start(TransportContext context) {
    return Mono.empty();
  }

  @Override
  public void mount(Mount mount) {
    ServletContext servletContext = mount.unwrap(ServletContext.class).orElseThrow();
    ServerContainer container = mount.unwrap(ServerContainer.class).orElseThrow();
    // What a transport relies on in Tomcat or Spring Boot, where there is no Mount.
    containerPublishedAsAttribute =
        servletContext.getAttribute(ServerContainer.class.getName()) == container;
    servletContext.addServlet("hello", new HelloServlet()).addMapping("/hello");
    servletContext.addServlet("hang", new HangServlet()).addMapping("/hang");
    try {
      container.addEndpoint(ServerEndpointConfig.Builder.create(EchoEndpoint.class, "/echo").build());
    } catch (DeploymentException e) {
      throw new IllegalStateException(e);
    }
    mounted = true;
  }

  @Override
  public Mono<Void> stop() {
    return Mono.empty();
  }

  private static final class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      response.setContentType("text/plain;charset=utf-8");
      response.getWriter().write("hello from a servlet");
    }
  }

  private final class HangServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      hanging.countDown();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        // The host is stopping and gave up on this request: end quietly.
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Sends every text message back. */
  public static final class EchoEndpoint extends Endpoint {
    @Override
    public void onOpen(Session session, EndpointConfig config) {
      session.addMessageHandler(String.class, text -> session.getAsyncRemote().sendText(text));
    }
  }
}
