package dev.parley.host.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.testsupport.RawSocket;
import dev.parley.testsupport.Timeouts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a slow or greedy client can hold: a request's headers have a deadline that trickling bytes does
 * not move, and the TCP connections of one address are counted, and refused beyond the limit, as soon
 * as they are accepted.
 */
class SlowClientLimitsTest {
  /** A short request-header deadline, well below the idle timeout so that only it can close. */
  private static final Duration DEADLINE = Duration.ofSeconds(1);
  private static final Duration IDLE = Duration.ofSeconds(5);
  /** How often a slow client sends one more byte: far more often than the idle timeout. */
  private static final long TRICKLE_MILLIS = 200;
  /** Scheduling tolerance on a busy build machine, on top of the deadline. */
  private static final Duration LATE = Duration.ofSeconds(1);
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Timeouts.STEP).build();

  private final EchoTransport transport = new EchoTransport();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
  private @Nullable ChatServer server;

  @AfterEach
  void close() throws Exception {
    trickler.shutdownNow();
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    if (server != null) {
      server.close();
    }
    await().atMost(Timeouts.STEP).until(() -> JettyHostTest.jettyThreads().isEmpty());
  }

  private JettyHost start(JettyHostConfig config) {
    JettyHost host = new JettyHost(config);
    server = ChatServer.builder()
        .host(host)
        .transport(transport)
        .config(c -> c.bindAddress("127.0.0.1").port(0).shutdownTimeout(JettyHostTest.SHUTDOWN))
        .start();
    return host;
  }

  private JettyHost startWithDeadline() {
    return start(JettyHostConfig.builder().requestHeaderTimeout(DEADLINE).idleTimeout(IDLE).build());
  }

  @Test
  void requestTricklingItsHeadersIsClosedAtTheDeadlineWhileOthersAreServed() throws Exception {
    startWithDeadline();
    long opened = System.nanoTime();
    Socket slow = socket();
    AtomicInteger sent = trickle(slow, "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");

    // Another client is served meanwhile.
    assertThat(hello()).isEqualTo("hello from a servlet");

    assertThat(readUntilClosed(slow)).isEmpty();
    Duration open = Duration.ofNanos(System.nanoTime() - opened);
    assertThat(open).isBetween(DEADLINE.minusMillis(100), DEADLINE.plus(LATE));
    // Bytes kept coming, each of which restarts the idle timeout: only the deadline ended it.
    assertThat(sent.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void keptAliveConnectionHasTheDeadlineAgainForItsNextRequest() throws Exception {
    startWithDeadline();
    Socket socket = socket();
    OutputStream out = socket.getOutputStream();
    out.write(ascii("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    out.flush();
    assertThat(readUntil(socket.getInputStream(), "hello from a servlet")).startsWith("HTTP/1.1 200");

    // The same connection, still open after its response, now trickles its next request.
    long answered = System.nanoTime();
    AtomicInteger sent = trickle(socket, "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");

    assertThat(readUntilClosed(socket)).isEmpty();
    Duration open = Duration.ofNanos(System.nanoTime() - answered);
    assertThat(open).isBetween(DEADLINE.minusMillis(200), DEADLINE.plus(LATE));
    assertThat(sent.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void upgradedWebSocketAndEndlessResponseOutliveTheDeadline() throws Exception {
    JettyHost host = startWithDeadline();
    RawSocket webSocket = RawSocket.open(http, uri("ws", "/echo"), false);
    toClose.add(webSocket::abort);
    webSocket.send("open?");
    assertThat(webSocket.next()).isEqualTo("open?");

    Socket stream = socket();
    stream.getOutputStream().write(ascii("GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    stream.getOutputStream().flush();
    assertThat(readUntil(stream.getInputStream(), "tick")).startsWith("HTTP/1.1 200");
    AtomicLong received = new AtomicLong();
    AtomicBoolean ended = new AtomicBoolean();
    CompletableFuture.runAsync(() -> {
      try {
        readUntilClosed(stream, received);
      } finally {
        ended.set(true);
      }
    });

    // For as long as a trickling request is given to be closed, both stay open; neither waits for a request's
    // headers (the stream's request is being handled until its response ends, the upgraded one is no HTTP
    // connection), so none is watched and the deadlines' sweep has stopped.
    await("the WebSocket and the endless response stay open")
        .during(DEADLINE.plus(LATE)).atMost(DEADLINE.plus(LATE).plus(LATE))
        .until(() -> !ended.get() && !webSocket.isClosed());
    assertThat(host.connectionsWatched()).isZero();
    assertThat(host.headerSweepScheduled()).isFalse();

    // And both still carry data.
    long before = received.get();
    await().atMost(Timeouts.STEP).until(() -> received.get() > before);
    webSocket.send("still there?");
    assertThat(webSocket.next()).isEqualTo("still there?");

    // A new connection is watched, with the sweep, until its request's headers are in.
    Socket quiet = socket();
    await().atMost(Timeouts.STEP).until(() -> host.connectionsWatched() == 1 && host.headerSweepScheduled());
    quiet.close();
    stream.close();
    await().atMost(Timeouts.STEP).until(() -> host.connectionsWatched() == 0 && !host.headerSweepScheduled());
  }

  @Test
  void connectionsBeyondThePerAddressLimitAreClosedAtOnceAndPlacesComeBack() throws Exception {
    JettyHost host = start(JettyHostConfig.builder().maxConnectionsPerAddress(5).build());
    List<Socket> silent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      silent.add(socket());
    }
    await().atMost(Timeouts.STEP).until(() -> host.connectionsPerAddress().equals(Map.of("127.0.0.1", 5)));

    // A sixth that sends nothing is closed at once: before any byte, so before any deadline.
    long opened = System.nanoTime();
    Socket sixth = socket();
    assertThat(readUntilClosed(sixth)).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - opened)).isLessThan(LATE);
    assertThat(host.connectionsRefused()).isEqualTo(1);
    assertThat(host.connectionsPerAddress()).isEqualTo(Map.of("127.0.0.1", 5));

    for (Socket socket : silent) {
      socket.close();
    }
    // Every place is given back and the address leaves the map.
    await().atMost(Timeouts.STEP).until(() -> host.connectionsPerAddress().isEmpty());
    await().atMost(Timeouts.STEP).until(() -> host.connectionsWatched() == 0);

    // New connections are accepted and served again.
    assertThat(hello()).isEqualTo("hello from a servlet");
    assertThat(host.connectionsRefused()).isEqualTo(1);
  }

  private Socket socket() throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port());
    socket.setSoTimeout((int) Timeouts.STEP.toMillis());
    toClose.add(socket);
    return socket;
  }

  /** Writes {@code start}, then one more header byte every {@link #TRICKLE_MILLIS} until writing fails. */
  private AtomicInteger trickle(Socket socket, String start) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(ascii(start));
    out.flush();
    AtomicInteger sent = new AtomicInteger();
    trickler.scheduleWithFixedDelay(() -> {
      try {
        out.write('x');
        out.flush();
        sent.incrementAndGet();
      } catch (IOException e) {
        throw new IllegalStateException("closed", e); // Ends the repetition.
      }
    }, TRICKLE_MILLIS, TRICKLE_MILLIS, TimeUnit.MILLISECONDS);
    return sent;
  }

  private String hello() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(uri("http", "/hello")).timeout(Timeouts.STEP).GET().build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** What the server sent until it closed the connection (EOF or reset); fails on the read timeout. */
  private static String readUntilClosed(Socket socket) {
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    try {
      InputStream in = socket.getInputStream();
      for (int b = in.read(); b >= 0; b = in.read()) {
        answer.write(b);
      }
    } catch (SocketException e) {
      // Reset: the server closed while this side was still writing.
    } catch (IOException e) {
      throw new AssertionError("the server did not close the connection within " + Timeouts.STEP, e);
    }
    return answer.toString(StandardCharsets.US_ASCII);
  }

  /** Counts the bytes the server sends until it closes the connection, or this side does. */
  private static void readUntilClosed(Socket socket, AtomicLong received) {
    byte[] buffer = new byte[512];
    try {
      InputStream in = socket.getInputStream();
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        received.addAndGet(n);
      }
    } catch (IOException e) {
      // Closed, by either side, or timed out: ended.
    }
  }

  /** Reads until {@code marker} has arrived; returns everything read. */
  private static String readUntil(InputStream in, String marker) throws IOException {
    StringBuilder text = new StringBuilder();
    while (text.indexOf(marker) < 0) {
      int b = in.read();
      assertThat(b).as("the connection closed before %s arrived: %s", marker, text).isNotNegative();
      text.append((char) b);
    }
    return text.toString();
  }

  private int port() {
    return Objects.requireNonNull(server).address().orElseThrow().getPort();
  }

  private URI uri(String scheme, String path) {
    return URI.create(scheme + "://127.0.0.1:" + port() + path);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
