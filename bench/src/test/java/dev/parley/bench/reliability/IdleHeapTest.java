package dev.parley.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.bench.JettyFloor;
import dev.parley.testsupport.Timeouts;
import dev.parley.testsupport.WebSocketFrames;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The live heap each idle connection costs a server with its default settings ({@link IdleHeapServer}, in a
 * JVM of its own, so that its heap holds none of the clients' objects): the heap after full collections with
 * {@value #WEBSOCKETS} idle WebSocket connections (Engine.IO open and Socket.IO CONNECT to {@code /}, then
 * nothing) over the heap before them, per connection; the same for {@value #OTHERS} SSE streams and
 * {@value #OTHERS} long-polling sessions (each connected to {@code /} and holding a {@code GET}). Each is
 * asserted under a bound, so that per-connection state that grows fails the build. No time is asserted;
 * the clients are bare sockets that read nothing once connected (pings come every 25 s, after the
 * measurement). Each test prints one line with its figure and the classes that grew most.
 *
 * <p>The floor: the same for {@value #WEBSOCKETS} idle WebSockets to the bare Jetty server in the same JVM
 * ({@link JettyFloor}), the part of a connection's heap that is Jetty's; it runs after the WebSocket test,
 * and prints what is left, Parley's own. Likewise {@value #OTHERS} SSE streams and {@value #OTHERS} polling
 * sessions held by the same server on Jetty's core API, after the SSE and the polling tests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IdleHeapTest {
  static final int WEBSOCKETS = 2_000;
  static final int OTHERS = 500;
  /**
   * KiB of live heap per idle WebSocket connection: 18.1 measured on 2026-12-05 on the Jakarta path (its
   * session, 40 registered encoders and decoders, the HTTP state kept after the upgrade), 8.7 on Jetty's core
   * WebSocket API, 5.96 with the engine's state allocated on first use and the handshake's maps compact, 5.74
   * with the header values that repeat across connections shared (of which the floor, Jetty's own with the least
   * Socket.IO state, was 4.24 on 2026-12-06), 5.64 on 2026-12-07 with one heartbeat timer for all sessions, 5.46
   * with each connection's address kept once. The floor, with Jetty's handshake given the URI without its query
   * as Parley's is (it kept a map of the query's parameters per socket), is 3.60; issue 16's target is 4 KiB.
   * 3.92 on 2026-12-07 (later): the engine's per-connection queues, maps and timers folded into fields of the
   * objects that own them, and Jetty's handshake URI, socket adaptor and idle-timeout future no longer kept per
   * connection (below the floor's share there). The bound leaves room for the measurement's noise only.
   */
  static final double WEBSOCKET_BOUND_KIB = 4.2;
  /**
   * KiB per idle SSE stream: 9.8 measured on 2026-12-05, 8.4 with the engine's and the handshake's state
   * smaller, 6.15 on 2026-12-06 with streams on Jetty's core API (no Servlet request, response and async state),
   * one heartbeat timer for all streams and no token kept per stream (the floor, a bare Jetty SSE stream, 4.0);
   * 5.91 on 2026-12-07 with no request-header check left on the host's timer once the first request arrived,
   * 5.76 with one queue per stream (the outbox's) rather than two, 5.75 beside a WebSocket's 5.64; 5.54 beside a
   * WebSocket's 5.60 with no host state kept for a request being handled (the request-header watch and Jetty's
   * GracefulHandler wrappers), 5.41 with each connection's address kept once; 4.56 with the engine's state
   * folded as a WebSocket's (above a WebSocket's 3.92 now: its floor is 0.39 KiB above a WebSocket's). The target
   * is no more than a WebSocket connection's.
   */
  static final double SSE_BOUND_KIB = 4.9;
  /**
   * KiB per idle polling session holding a {@code GET}: 112 measured on 2026-12-05, nearly all of it the header
   * field cache Jetty built per keep-alive connection; 12.1 with that cache off, 9.9 with the engine's and the
   * handshake's state smaller; on 2026-12-06 8.4 with the held GET on Jetty's core API and Jetty's per-thread
   * I/O caches no longer counted (they were about 0.8 KiB of the 9.6 before), 7.5 without Jetty's parsed query
   * cached on the held request, 7.3-7.4 with its handshake and posts on the core API too (Jetty kept a Servlet
   * channel on the connection otherwise), 6.44 with the warm-up polling until no pool thread is new to gathering
   * writes (the pool grows in the tests before; about 1 KiB a session of those threads' JDK caches were counted),
   * 6.14-6.16 on 2026-12-07 with the host's request-header deadline swept, one heartbeat timer for all sessions,
   * 5.91 with no host state kept for a request being handled, 5.78 with each connection's address kept once (its
   * floor, a bare Jetty polling session, 4.13, is 0.53 above a WebSocket's); 4.74 with the engine's state folded
   * as a WebSocket's. The target is no more than a WebSocket connection's.
   */
  static final double POLLING_BOUND_KIB = 5.1;
  private static final int THREAD_WARM_UP_ROUNDS = 4;
  private static final int OPENERS = 4;
  private static final int WARM_UP = 200;
  /**
   * How many of the classes that grew most each test prints: enough to see Jetty's share beside Parley's
   * ({@code -DgrewMost=200} in the test JVM's arguments prints more).
   */
  private static final int GREW_MOST = Integer.getInteger("grewMost", 25);

  private static Process server;
  private static PrintWriter commands;
  private static final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private static InetSocketAddress address;
  private static InetSocketAddress floor;
  // The WebSocket test's figure, for the floor test that runs after it; NaN until then.
  private static volatile double webSocketKib = Double.NaN;
  // The SSE test's figure, for the SSE floor test that runs after it; NaN until then.
  private static volatile double sseKib = Double.NaN;
  // The polling test's figure, for the polling floor test that runs after it; NaN until then.
  private static volatile double pollingKib = Double.NaN;

  @BeforeAll
  static void startServer() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // SerialGC: a full collection leaves exactly what is live, which makes the difference of two readings
    // the connections' own.
    server = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        IdleHeapServer.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    commands = new PrintWriter(server.getOutputStream(), true, StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("ended: " + e);
      }
    }, "idle-heap-server-out");
    reader.setDaemon(true);
    reader.start();
    String ready = next(Timeouts.SLOW.toSeconds());
    assertThat(ready).startsWith("port ");
    address = new InetSocketAddress("127.0.0.1", Integer.parseInt(ready.substring(5)));
    String floorReady = next(Timeouts.SLOW.toSeconds());
    assertThat(floorReady).startsWith("floor ");
    floor = new InetSocketAddress("127.0.0.1", Integer.parseInt(floorReady.substring(6)));
    // Load every class and fill every pool on the way of each transport before the first reading.
    for (Opener opener : List.<Opener>of(IdleHeapTest::webSocket, IdleHeapTest::sseStream,
        () -> pollingSession(address))) {
      closeAll(open(WARM_UP, opener));
      awaitNone(Measure::channels);
    }
    closeAll(open(WARM_UP, IdleHeapTest::floorWebSocket));
    awaitNone(Measure::floor);
    closeAll(open(WARM_UP, () -> sseStream(floor)));
    awaitNone(Measure::floorSse);
    closeAll(open(WARM_UP, () -> pollingSession(floor)));
    awaitNone(Measure::floorPolling);
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      commands.close();
      if (!server.waitFor(Timeouts.STEP.toSeconds(), TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(Timeouts.STEP.toSeconds(), TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @Order(1)
  void anIdleWebSocketConnectionStaysUnderItsBound() throws Exception {
    webSocketKib = kibPer("websocket", WEBSOCKETS, IdleHeapTest::webSocket, Measure::channels);
    assertThat(webSocketKib).isLessThan(WEBSOCKET_BOUND_KIB);
  }

  @Test
  @Order(2)
  void aBareJettyWebSocketIsTheFloor() throws Exception {
    double kib = kibPer("floor (bare Jetty WebSocket, Socket.IO's least)", WEBSOCKETS, IdleHeapTest::floorWebSocket,
        Measure::floor);
    if (!Double.isNaN(webSocketKib)) {
      System.out.println(String.format(Locale.ROOT, "[reliability] idle heap: Parley's own: %.2f KiB per "
          + "WebSocket connection (%.2f KiB, less the floor's %.2f KiB)", webSocketKib - kib, webSocketKib, kib));
    }
    // Over half a KiB: the server really holds the sockets (Jetty's endpoint, connection and session alone
    // are more); under the WebSocket bound: no Parley connection can cost less than Jetty's share of it.
    assertThat(kib).isGreaterThan(0.5).isLessThan(WEBSOCKET_BOUND_KIB);
  }

  @Test
  @Order(3)
  void anIdleSseStreamStaysUnderItsBound() throws Exception {
    sseKib = kibPer("sse", OTHERS, IdleHeapTest::sseStream, Measure::channels);
    assertThat(sseKib).isLessThan(SSE_BOUND_KIB);
  }

  @Test
  @Order(4)
  void aBareJettySseStreamIsTheFloorOfOne() throws Exception {
    double kib = kibPer("floor (bare Jetty SSE stream)", OTHERS, () -> sseStream(floor), Measure::floorSse);
    if (!Double.isNaN(sseKib)) {
      System.out.println(String.format(Locale.ROOT, "[reliability] idle heap: Parley's own: %.2f KiB per SSE "
          + "stream (%.2f KiB, less the floor's %.2f KiB)", sseKib - kib, sseKib, kib));
    }
    // The server really holds the streams (Jetty's connection and request alone are more than half a KiB), and
    // no Parley stream can cost less than Jetty's share of it.
    assertThat(kib).isGreaterThan(0.5).isLessThan(SSE_BOUND_KIB);
  }

  @Test
  @Order(5)
  void anIdlePollingSessionStaysUnderItsBound() throws Exception {
    warmPollingThreads("", address, Measure::channels);
    pollingKib = kibPer("polling", OTHERS, () -> pollingSession(address), Measure::channels);
    assertThat(pollingKib).isLessThan(POLLING_BOUND_KIB);
  }

  @Test
  @Order(6)
  void aBareJettyPollingSessionIsTheFloorOfOne() throws Exception {
    warmPollingThreads(" floor", floor, Measure::floorPolling);
    double kib = kibPer("floor (bare Jetty polling session)", OTHERS, () -> pollingSession(floor),
        Measure::floorPolling);
    if (!Double.isNaN(pollingKib)) {
      System.out.println(String.format(Locale.ROOT, "[reliability] idle heap: Parley's own: %.2f KiB per polling "
          + "session (%.2f KiB, less the floor's %.2f KiB)", pollingKib - kib, pollingKib, kib));
    }
    // The server really holds the sessions (Jetty's connection and held request alone are more than half a KiB),
    // and no Parley session can cost less than Jetty's share of it.
    assertThat(kib).isGreaterThan(0.5).isLessThan(POLLING_BOUND_KIB);
  }

  /**
   * Each of Jetty's pool threads keeps, from its first gathering write on, about 4 KiB (the JDK's per-thread I/O
   * vectors and temporary buffers): a cost per thread, not per session. The pool has grown in the tests before, so
   * this polls {@code server} first until no thread is new to such writes (at most a few rounds, as many sessions as
   * measured each, each a handshake and a close); else some hundred threads' worth would read as about 1 KiB a
   * session.
   */
  private static void warmPollingThreads(String which, InetSocketAddress server, ToIntFunction<Measure> held)
      throws Exception {
    histogram(0);
    int rounds = 0;
    boolean newThreads = true;
    while (newThreads && rounds < THREAD_WARM_UP_ROUNDS) {
      closeAll(open(OTHERS, () -> shortPollingSession(server)));
      awaitNone(held);
      rounds++;
      newThreads = histogram(Integer.MAX_VALUE).lines().anyMatch(IdleHeapTest::newThreadCaches);
    }
    System.out.println("[reliability] idle heap polling" + which + ": " + rounds + " warm-up rounds of " + OTHERS
        + " sessions, " + (newThreads ? "pool threads still new to gathering writes after the last"
        : "the last with no thread new to gathering writes"));
  }

  // A line of the histogram's growth saying that more threads now have the JDK's per-thread I/O vectors.
  private static boolean newThreadCaches(String line) {
    Matcher grown = GROWN.matcher(line);
    return grown.matches() && grown.group(2).equals("sun.nio.ch.IOVecWrapper")
        && Long.parseLong(grown.group(1).replace(",", "")) > 0;
  }

  // One line of the histogram's growth: bytes, instances, class.
  private static final Pattern GROWN = Pattern.compile("\\s*[-+][\\d,]+ B\\s+([-+][\\d,]+)\\s+(\\S+)");

  /**
   * Opens {@code count} connections, reads the server's heap, closes them: the KiB each one cost. {@code held}
   * reads, from a measure, the connections of this kind the server holds: {@code count} more with them open,
   * none once they are closed.
   */
  private static double kibPer(String transport, int count, Opener opener, ToIntFunction<Measure> held)
      throws Exception {
    Measure before = measure();
    histogram(0);
    List<Closeable> clients = open(count, opener);
    Measure after;
    String grew;
    try {
      after = measure();
      grew = histogram(GREW_MOST);
      heapDump(transport);
    } finally {
      closeAll(clients);
      awaitNone(held);
    }
    double kib = (after.heap - before.heap) / 1024.0 / count;
    System.out.println(String.format(Locale.ROOT, "[reliability] idle heap %s: %d connections, %.2f KiB of live "
            + "heap each (%.1f -> %.1f MiB after full GC); grew most, in all:%n%s", transport, count, kib,
        LeakApp.mib(before.heap), LeakApp.mib(after.heap), grew));
    assertThat(held.applyAsInt(after) - held.applyAsInt(before)).as("connections the server holds").isEqualTo(count);
    return kib;
  }

  // ---- the server's side ----

  /** The heap after full collections, the Parley server's channels, and the floor's open sockets. */
  private record Measure(long heap, int channels, int floor, int floorSse, int floorPolling) {
  }

  private static final Pattern MEASURE =
      Pattern.compile("heap=(\\d+) channels=(\\d+) sessions=(\\d+) floor=(\\d+) floorSse=(\\d+)"
          + " floorPolling=(\\d+)");

  private static Measure measure() throws Exception {
    commands.println("measure");
    String line = next(Timeouts.SLOW.toSeconds());
    Matcher m = MEASURE.matcher(line);
    assertThat(m.matches()).as("the server's answer: %s", line).isTrue();
    return new Measure(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(4)),
        Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)));
  }

  /**
   * With {@code -DheapDump=folder} in the test JVM's arguments, dumps the server's heap there while the connections
   * are held ({@code transport}.hprof), for a look at who holds what.
   */
  private static void heapDump(String transport) throws Exception {
    String folder = System.getProperty("heapDump");
    if (folder != null) {
      Process jcmd = new ProcessBuilder("jcmd", String.valueOf(server.pid()), "GC.heap_dump",
          Path.of(folder, transport + ".hprof").toAbsolutePath().toString()).inheritIO().start();
      assertThat(jcmd.waitFor(Timeouts.SLOW.toSeconds(), TimeUnit.SECONDS)).as("jcmd dumped the heap").isTrue();
    }
  }

  private static String histogram(int classes) throws Exception {
    commands.println("histogram " + classes);
    StringBuilder text = new StringBuilder();
    for (String line = next(Timeouts.SLOW.toSeconds()); !line.equals("end"); line = next(Timeouts.STEP.toSeconds())) {
      text.append(line).append('\n');
    }
    return text.toString();
  }

  /** Waits until the server holds none of the connections {@code held} counts. */
  private static void awaitNone(ToIntFunction<Measure> held) throws Exception {
    long deadline = System.nanoTime() + Timeouts.SLOW.toNanos();
    while (held.applyAsInt(measure()) > 0) {
      assertThat(System.nanoTime()).as("the server dropped the closed connections in time").isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(Timeouts.POLL.toMillis());
    }
  }

  private static String next(long seconds) throws InterruptedException {
    String line = lines.poll(seconds, TimeUnit.SECONDS);
    assertThat(line).as("a line from the server within %d s", seconds).isNotNull();
    return line;
  }

  // ---- the clients: bare sockets that go quiet once connected ----

  @FunctionalInterface
  private interface Opener {
    Closeable open() throws IOException;
  }

  private static List<Closeable> open(int count, Opener opener) throws Exception {
    ExecutorService openers = Executors.newFixedThreadPool(OPENERS);
    try {
      List<Future<List<Closeable>>> parts = new ArrayList<>();
      for (int t = 0; t < OPENERS; t++) {
        int share = count / OPENERS + (t < count % OPENERS ? 1 : 0);
        parts.add(openers.submit(() -> {
          List<Closeable> clients = new ArrayList<>(share);
          try {
            for (int i = 0; i < share; i++) {
              clients.add(opener.open());
            }
          } catch (IOException | RuntimeException e) {
            closeAll(clients);
            throw e;
          }
          return clients;
        }));
      }
      List<Closeable> all = new ArrayList<>(count);
      for (Future<List<Closeable>> part : parts) {
        all.addAll(part.get(Timeouts.SLOW.toSeconds() * 3, TimeUnit.SECONDS));
      }
      return all;
    } finally {
      openers.shutdownNow();
    }
  }

  private static void closeAll(List<Closeable> clients) {
    for (Closeable client : clients) {
      try {
        client.close();
      } catch (IOException e) {
        // Closing is all that is wanted; the server notices either way.
      }
    }
  }

  private static Closeable webSocket() throws IOException {
    return RawSocketIo.open(address).connect()::close;
  }

  /** A Socket.IO connection to the floor, opened as {@link #webSocket} opens one to Parley. */
  private static Closeable floorWebSocket() throws IOException {
    return RawSocketIo.open(floor).connect()::close;
  }

  private static Socket sseStream() throws IOException {
    return sseStream(address);
  }

  /** An SSE stream from {@code server}, open once its session's event has come whole. */
  private static Socket sseStream(InetSocketAddress server) throws IOException {
    Socket socket = connect(server);
    send(socket, "GET /sse/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
    InputStream in = socket.getInputStream();
    assertThat(WebSocketFrames.readHead(in)).startsWith("HTTP/1.1 200");
    // The stream is open once the session's event has come whole.
    StringBuilder stream = new StringBuilder();
    int event;
    while ((event = stream.indexOf("event: parley:session")) < 0 || stream.indexOf("\n\n", event) < 0) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the stream ended before its session event: " + stream);
      }
      stream.append((char) b);
    }
    return socket;
  }

  /** A polling session's handshake and close on one connection, both answered (for the threads' warm-up). */
  private static Closeable shortPollingSession(InetSocketAddress server) throws IOException {
    Socket socket = connect(server);
    String open = poll(socket, "GET", "", "");
    Matcher sid = Pattern.compile("\"sid\":\"([^\"]+)\"").matcher(open);
    assertThat(sid.find()).as("open packet %s", open).isTrue();
    assertThat(poll(socket, "POST", "&sid=" + sid.group(1), "1")).isEqualTo("ok");
    return socket::close;
  }

  private static Closeable pollingSession(InetSocketAddress server) throws IOException {
    Socket socket = connect(server);
    String open = poll(socket, "GET", "", "");
    Matcher sid = Pattern.compile("\"sid\":\"([^\"]+)\"").matcher(open);
    assertThat(sid.find()).as("open packet %s", open).isTrue();
    String query = "&sid=" + sid.group(1);
    assertThat(poll(socket, "POST", query, "40")).isEqualTo("ok");
    assertThat(poll(socket, "GET", query, "")).startsWith("40{");
    // The next GET is held until there is something to send: the session's idle state.
    send(socket, request("GET", query, ""));
    // A held GET's connection closing is not noticed until the next ping: the session leaves with a close packet.
    return () -> {
      try (Socket goodbye = connect(server)) {
        send(goodbye, request("POST", query, "1"));
        WebSocketFrames.readHead(goodbye.getInputStream());
      } finally {
        socket.close();
      }
    };
  }

  /** One request on the session's keep-alive connection; the answer's body (sent with a Content-Length). */
  private static String poll(Socket socket, String method, String query, String body) throws IOException {
    send(socket, request(method, query, body));
    InputStream in = socket.getInputStream();
    String head = WebSocketFrames.readHead(in);
    assertThat(head).startsWith("HTTP/1.1 200");
    Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    assertThat(length.find()).as("a Content-Length in %s", head).isTrue();
    return new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
  }

  private static String request(String method, String query, String body) {
    return method + " /socket.io/?EIO=4&transport=polling" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (body.isEmpty() ? "" : "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + body.length() + "\r\n")
        + "\r\n" + body;
  }

  private static Socket connect(InetSocketAddress server) throws IOException {
    Socket socket = new Socket();
    socket.connect(server, (int) Timeouts.CONNECT.toMillis());
    socket.setSoTimeout((int) Timeouts.STEP.toMillis());
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
