package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.host.jetty.JettyHost;
import dev.parley.host.jetty.JettyHostConfig;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which path serves a stream in Parley's Jetty host: Jetty's core API unless the application has servlet filters
 * (they must see every request, streams included) or {@value SseTransport#SERVLET_PROPERTY} says otherwise; either
 * way the stream works and its posts are answered.
 */
class StreamPathTest {
  private final HttpClient http = SseTestClient.newHttpClient();
  private final Queue<String> filtered = new ConcurrentLinkedQueue<>();
  private ChatServer server;

  @AfterEach
  void stop() {
    System.clearProperty(SseTransport.SERVLET_PROPERTY);
    if (server != null) {
      server.close();
    }
  }

  private SseTransport start(JettyHostConfig host) {
    SseTransport transport = new SseTransport(SseTransportConfig.defaults());
    server = SseTestApp.start(transport, b -> b.host(new JettyHost(host)));
    return transport;
  }

  private void streamAndPost() throws Exception {
    try (SseTestClient client = SseTestClient.open(http, SseTestApp.stream(server, "path"))) {
      HttpResponse<String> echoed = client.emit("echo", "through");
      assertThat(echoed.statusCode()).isEqualTo(200);
      assertThat(echoed.body()).isEqualTo("[\"through\"]");
      assertThat(client.response().headers().firstValue("Content-Type")).hasValueSatisfying(
          type -> assertThat(type).startsWith("text/event-stream"));
    }
  }

  @Test
  void streamsAreServedOnJettysCoreApiByDefault() throws Exception {
    SseTransport transport = start(JettyHostConfig.defaults());
    assertThat(transport.coreStreams()).isTrue();
    streamAndPost();
  }

  @Test
  void anApplicationFilterKeepsStreamsOnTheServletPathAndSeesThem() throws Exception {
    Filter filter = (request, response, chain) -> {
      HttpServletRequest http = (HttpServletRequest) request;
      filtered.add(http.getMethod() + " " + http.getRequestURI());
      chain.doFilter(request, response);
    };
    SseTransport transport = start(JettyHostConfig.builder().filter("/*", filter).build());
    assertThat(transport.coreStreams()).isFalse();
    streamAndPost();
    assertThat(filtered).contains("GET /sse/path", "POST /sse/path");
  }

  /**
   * Jetty's idle timeout ends neither path's stream while it has nothing to write: it waits for its next heartbeat
   * (here three idle timeouts away), and its posts are answered after the timeout has passed.
   */
  @Test
  void anIdleStreamOutlivesTheHostsIdleTimeoutOnBothPaths() throws Exception {
    for (boolean servlet : new boolean[] {false, true}) {
      System.setProperty(SseTransport.SERVLET_PROPERTY, String.valueOf(servlet));
      Duration idleTimeout = Duration.ofMillis(300);
      SseTransport transport = new SseTransport(SseTransportConfig.builder()
          .heartbeatInterval(idleTimeout.multipliedBy(3)).build());
      server = SseTestApp.start(transport,
          b -> b.host(new JettyHost(JettyHostConfig.builder().idleTimeout(idleTimeout).build())));
      assertThat(transport.coreStreams()).isEqualTo(!servlet);
      try (SseTestClient client = SseTestClient.open(http, SseTestApp.stream(server, "idle"))) {
        long start = System.nanoTime();
        assertThat(client.nextComment()).as("the heartbeat, on the %s path", servlet ? "Servlet" : "core")
            .isEqualTo(" ping");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(idleTimeout);
        assertThat(client.emit("echo", "still here").statusCode()).isEqualTo(200);
      }
      server.close();
      server = null;
    }
  }

  @Test
  void thePropertyKeepsStreamsOnTheServletPath() throws Exception {
    System.setProperty(SseTransport.SERVLET_PROPERTY, "true");
    SseTransport transport = start(JettyHostConfig.defaults());
    assertThat(transport.coreStreams()).isFalse();
    streamAndPost();
  }
}
