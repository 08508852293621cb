package dev.parley.host.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.error.ParleyException;
import dev.parley.spi.Mount;
import dev.parley.spi.ProviderContext;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportContext;
import dev.parley.testsupport.RawSocket;
import dev.parley.testsupport.Timeouts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

class JettyHostTest {
  /** The shutdown timeout of servers whose stop time a test measures. */
  static final Duration SHUTDOWN = Duration.ofSeconds(2);

  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Timeouts.STEP).build();

  private final EchoTransport transport = new EchoTransport();
  private @Nullable ChatServer server;

  @AfterEach
  void closeServer() {
    if (server != null) {
      server.close();
    }
    await().atMost(Timeouts.STEP).until(() -> jettyThreads().isEmpty());
  }

  private ChatServer start(ChatServer.Builder builder) {
    server = builder.start();
    return server;
  }

  private ChatServer startOnLoopback() {
    return start(ChatServer.builder()
        .transport(transport)
        .config(c -> c.bindAddress("127.0.0.1").port(0).shutdownTimeout(SHUTDOWN)));
  }

  @Test
  void discoveredHostBindsFreeLoopbackPort() {
    ChatServer started = startOnLoopback();

    InetSocketAddress address = started.address().orElseThrow();
    assertThat(address.getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
    assertThat(address.getPort()).isBetween(1, 65_535);
    assertThat(transport.mounted).isTrue();
    assertThat(jettyThreads()).isNotEmpty().allMatch(name -> name.startsWith("parley-jetty-"));
  }

  @Test
  void transportServletAnswersOverHttp() throws Exception {
    ChatServer started = startOnLoopback();

    HttpResponse<String> response = http.send(get(started, "/hello"), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello from a servlet");
  }

  @Test
  void transportWebSocketEndpointEchoes() throws Exception {
    ChatServer started = startOnLoopback();
    RawSocket webSocket = connect(started);
    webSocket.send("ping");

    assertThat(webSocket.next()).isEqualTo("ping");
    webSocket.close();
    assertThat(webSocket.closeCode((int) Timeouts.STEP.toSeconds())).isEqualTo(WebSocket.NORMAL_CLOSURE);
  }

  @Test
  void connectionThatNeverFinishesItsRequestIsClosedAfterIdleTimeout() throws Exception {
    ChatServer started = start(ChatServer.builder()
        .host(new JettyHost(JettyHostConfig.builder().idleTimeout(Duration.ofMillis(300)).build()))
        .transport(transport)
        .config(c -> c.bindAddress("127.0.0.1").port(0)));

    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), started.address().orElseThrow().getPort())) {
      socket.setSoTimeout((int) Timeouts.STEP.toMillis());
      // The request line and one header, never the blank line that ends the headers: a stalled upgrade.
      socket.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();

      // Jetty may answer 408 before closing; either way the connection ends well before the read timeout.
      byte[] answer = socket.getInputStream().readAllBytes();
      assertThat(new String(answer, StandardCharsets.US_ASCII)).satisfiesAnyOf(
          text -> assertThat(text).isEmpty(),
          text -> assertThat(text).startsWith("HTTP/1.1 408"));
    }
    // A request that does complete is served as usual.
    assertThat(http.send(get(started, "/hello"), HttpResponse.BodyHandlers.ofString()).body())
        .isEqualTo("hello from a servlet");
  }

  @Test
  void mountPublishesServerContainerAsServletContextAttribute() {
    startOnLoopback();

    assertThat(transport.containerPublishedAsAttribute).isTrue();
  }

  @Test
  void requestWithoutServletOrStaticResourcesIsNotFound() throws Exception {
    ChatServer started = startOnLoopback();

    HttpResponse<String> response = http.send(get(started, "/"), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(404);
  }

  @Test
  void closeWithOpenWebSocketEndsWithinTimeoutAndLeavesNoThread() throws Exception {
    ChatServer started = startOnLoopback();
    RawSocket webSocket = connect(started);
    // One echo makes sure the server side has opened the session too, not just sent the upgrade.
    webSocket.send("open?");
    assertThat(webSocket.next()).isEqualTo("open?");

    long begin = System.nanoTime();
    started.close();
    Duration took = Duration.ofNanos(System.nanoTime() - begin);

    assertThat(took).isLessThan(SHUTDOWN.plus(Timeouts.SLACK));
    assertThat(webSocket.closeCode((int) Timeouts.STEP.toSeconds())).isEqualTo(1001);
    assertThat(started.address()).isEmpty();
    await().atMost(Timeouts.STEP).until(() -> jettyThreads().isEmpty());
  }

  @Test
  void aRequestBeingHandledWhenTheHostStopsIsAnsweredNotCutAndNewOnesAreRefused() throws Exception {
    ChatServer started = startOnLoopback();
    CompletableFuture<HttpResponse<String>> answer =
        http.sendAsync(get(started, "/finish"), HttpResponse.BodyHandlers.ofString());
    assertThat(transport.finishing.await(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    HttpRequest hello = get(started, "/hello");
    CompletableFuture<Void> closed = CompletableFuture.runAsync(started::close);
    // Longer than the host's shutdown idle timeout (100 ms): a stop that closed quiet connections without waiting for
    // the requests on them would have closed this one by now. No event marks that moment, so this waits it out.
    Thread.sleep(300);
    assertThat(closed).isNotDone();
    // Meanwhile a new request is refused, on a connection of its own, and the one in flight still holds the stop.
    HttpClient another = HttpClient.newBuilder().connectTimeout(Timeouts.STEP).build();
    assertThat(another.send(hello, HttpResponse.BodyHandlers.discarding()).statusCode())
        .isEqualTo(503);
    assertThat(closed).isNotDone();
    transport.finish();

    HttpResponse<String> response = answer.get(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("finished");
    closed.get(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void closeWithHangingRequestEndsWithinTimeoutAndLeavesNoThread() throws Exception {
    ChatServer started = startOnLoopback();
    CompletableFuture<HttpResponse<Void>> hanging =
        http.sendAsync(get(started, "/hang"), HttpResponse.BodyHandlers.discarding());
    assertThat(transport.hanging.await(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    long begin = System.nanoTime();
    started.close();
    Duration took = Duration.ofNanos(System.nanoTime() - begin);

    assertThat(took).isLessThan(SHUTDOWN.plus(Timeouts.SLACK));
    await().atMost(Timeouts.STEP).until(() -> jettyThreads().isEmpty());
    await().atMost(Timeouts.STEP).until(hanging::isDone);
  }

  @Test
  void portInUseFailsStartNamingAddressAndPort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> start(ChatServer.builder()
              .transport(transport)
              .config(c -> c.bindAddress("127.0.0.1").port(port))))
          .isInstanceOf(ParleyException.class)
          .hasMessageStartingWith("Jetty host cannot listen on 127.0.0.1:" + port + ": ")
          .hasMessageContaining("is another server using the port?");
    }
    assertThat(jettyThreads()).isEmpty();
  }

  @Test
  void transportFailingToMountFailsStartNamingTransport() {
    Transport broken = new Transport() {
      @Override
      public String name() {
        return "broken";
      }

      @Override
      public Mono<Void> start(TransportContext context) {
        return Mono.empty();
      }

      @Override
      public void mount(Mount mount) {
        throw new IllegalStateException("no room for me");
      }

      @Override
      public Mono<Void> stop() {
        return Mono.empty();
      }
    };

    assertThatThrownBy(() -> start(ChatServer.builder()
            .transport(broken)
            .config(c -> c.bindAddress("127.0.0.1").port(0))))
        .isInstanceOf(ParleyException.class)
        .hasMessage("transport \"broken\" failed to mount into the Jetty host: no room for me");
    await().atMost(Timeouts.STEP).until(() -> jettyThreads().isEmpty());
  }

  @Test
  void hostStartsOnlyOnce() {
    JettyHost host = new JettyHost();
    start(ChatServer.builder()
        .host(host)
        .transport(transport)
        .config(c -> c.bindAddress("127.0.0.1").port(0)));
    InetSocketAddress bound = host.address().orElseThrow();

    // A second start does nothing: in particular it does not listen again on the defaults' port.
    host.start(List.of(), context(ChatServerConfig.defaults())).block(Timeouts.STEP);

    assertThat(host.address()).contains(bound);
  }

  @Test
  void stoppedHostCannotBeRestarted() {
    JettyHost host = new JettyHost();
    ChatServerConfig config = ChatServerConfig.builder().bindAddress("127.0.0.1").port(0).build();
    host.start(List.of(transport), context(config)).block(Timeouts.STEP);
    host.stop(SHUTDOWN).block(Timeouts.STEP);

    assertThatThrownBy(() -> host.start(List.of(transport), context(config)).block(Timeouts.STEP))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("JettyHost is stopped; make a new one");
    assertThat(jettyThreads()).isEmpty();
  }

  @Test
  void hostStartedDirectlyReportsBoundAddressAndStops() {
    JettyHost host = new JettyHost();
    ChatServerConfig config = ChatServerConfig.builder().bindAddress("127.0.0.1").port(0).build();

    host.start(List.of(transport), context(config)).block(Timeouts.STEP);
    InetSocketAddress address = host.address().orElseThrow();
    host.stop(SHUTDOWN).block(Timeouts.STEP);

    assertThat(address.getPort()).isPositive();
    assertThat(transport.mounted).isTrue();
    assertThat(host.address()).isEmpty();
    assertThat(jettyThreads()).isEmpty();
  }

  @Test
  void stoppingHostThatNeverStartedCompletes() {
    JettyHost host = new JettyHost();

    host.stop(Duration.ofSeconds(1)).block(Timeouts.STEP);

    assertThat(host.address()).isEmpty();
  }

  @Test
  void stopRejectsNonPositiveTimeout() {
    JettyHost host = new JettyHost();

    assertThatThrownBy(() -> host.stop(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be positive: PT0S");
  }

  private static HttpRequest get(ChatServer server, String path) {
    return HttpRequest.newBuilder(uri(server, "http", path)).timeout(Timeouts.STEP).GET().build();
  }

  private static RawSocket connect(ChatServer server) {
    return RawSocket.open(http, uri(server, "ws", "/echo"), false);
  }

  private static URI uri(ChatServer server, String scheme, String path) {
    int port = server.address().orElseThrow().getPort();
    return URI.create(scheme + "://127.0.0.1:" + port + path);
  }

  static ProviderContext context(ChatServerConfig config) {
    return new ProviderContext() {
      @Override
      public ChatServerConfig config() {
        return config;
      }

      @Override
      public JsonMapper jsonMapper() {
        return JsonMapper.builder().build();
      }

      @Override
      public Scheduler scheduler() {
        return Schedulers.immediate();
      }
    };
  }

  static List<String> jettyThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(name -> name.startsWith("parley-jetty-"))
        .sorted()
        .toList();
  }
}
