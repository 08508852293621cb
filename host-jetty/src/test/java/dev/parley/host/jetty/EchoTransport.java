package dev.parley.host.jetty;

import dev.parley.spi.Mount;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportContext;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRegistration;
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
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;

/**
 * A test transport that mounts only through the portable hooks: a servlet at {@code /hello}, a
 * servlet at {@code /hang} that blocks until interrupted, a servlet at {@code /stream} whose response
 * never ends (an asynchronous one writing a line every {@link #TICK_MILLIS}, as an SSE stream writes its
 * heartbeats, until the client goes away), and a WebSocket echo endpoint at {@code /echo}.
 */
final class EchoTransport implements Transport {
  volatile boolean mounted;
  volatile boolean containerPublishedAsAttribute;
  /** Counts down when a {@code /hang} request has arrived. */
  final CountDownLatch hanging = new CountDownLatch(1);
  /** Counts down when a {@code /finish} request has arrived; it is answered by {@link #finish()}. */
  final CountDownLatch finishing = new CountDownLatch(1);
  private final Queue<AsyncContext> held = new ConcurrentLinkedQueue<>();
  /** How often a {@code /stream} response writes a line. */
  static final long TICK_MILLIS = 200;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "test-echo-ticker");
    thread.setDaemon(true);
    return thread;
  });

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
    ServletRegistration.Dynamic finish = servletContext.addServlet("finish", new FinishServlet());
    finish.setAsyncSupported(true);
    finish.addMapping("/finish");
    ServletRegistration.Dynamic stream = servletContext.addServlet("stream", new StreamServlet());
    stream.setAsyncSupported(true);
    stream.addMapping("/stream");
    try {
      container.addEndpoint(ServerEndpointConfig.Builder.create(EchoEndpoint.class, "/echo").build());
    } catch (DeploymentException e) {
      throw new IllegalStateException(e);
    }
    mounted = true;
  }

  @Override
  public Mono<Void> stop() {
    return Mono.fromRunnable(ticker::shutdownNow);
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

  /** Answers {@code /finish} requests held so far with "finished", from the calling thread. */
  void finish() throws IOException {
    AsyncContext async;
    while ((async = held.poll()) != null) {
      async.getResponse().setContentType("text/plain;charset=utf-8");
      async.getResponse().getWriter().write("finished");
      async.complete();
    }
  }

  // Holds the request asynchronously: no pool thread is busy with it, so only a stop that waits for requests
  // in flight keeps its quiet connection open until it is answered.
  private final class FinishServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      AsyncContext async = request.startAsync();
      async.setTimeout(0);
      held.add(async);
      finishing.countDown();
    }
  }

  private final class StreamServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final byte[] TICK = "tick\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      response.setContentType("text/plain;charset=utf-8");
      AsyncContext async = request.startAsync();
      async.setTimeout(0);
      ServletOutputStream out = response.getOutputStream();
      out.write(TICK);
      out.flush();
      AtomicReference<ScheduledFuture<?>> ticks = new AtomicReference<>();
      ticks.set(ticker.scheduleWithFixedDelay(() -> {
        try {
          out.write(TICK);
          out.flush();
        } catch (IOException | RuntimeException e) {
          // The client went away: end the response.
          ticks.get().cancel(false);
          try {
            async.complete();
          } catch (RuntimeException ignored) {
            // Already completed by the container.
          }
        }
      }, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS));
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
