package dev.parley.bench;

import dev.parley.host.jetty.JettyHostConfig;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;
import org.jspecify.annotations.Nullable;

/**
 * The floor of issue 16: the least a server on Jetty 12 must do to serve the bench's Socket.IO clients over
 * WebSocket, with nothing of Parley's, so that a figure of Parley's can be read against what Jetty and the JVM
 * cost by themselves. One connector on 127.0.0.1, set up as the embedded host sets up its own where it matters
 * per connection (no header field cache, the host's idle timeout and accept queue, the bench server's thread
 * pool), and Jetty's core WebSocket API at {@code /socket.io/} with no extension (so no permessage-deflate, as
 * Parley) and Parley's WebSocket idle timeout.
 *
 * <p>Each socket gets the Engine.IO open packet, and from then on a text frame at a time: {@code 40} is
 * answered with a CONNECT to {@code /}; {@code 42<id>["join",room]} joins the room and acks {@code "ok"};
 * {@code 42["pub",room,payload]} sends {@code 42["msg",payload]} to the room, encoded once, from a pool thread
 * per core; {@code 42<id>["echo",x]} acks x. Anything else, a pong included, is dropped. One timer pings every
 * socket each ping interval (Parley keeps a deadline per connection). The bench's clients send whole frames, so
 * a fragmented one is dropped too. It knows no namespace, binary, recovery or limit: the floor, not a server.
 *
 * <p>{@code GET /sse/...} is an SSE stream held open on Jetty's core API (no servlet, as the WebSocket side has
 * none): the session's event first, as Parley's SSE transport sends it, then a comment at each heartbeat, the
 * floor of a held HTTP response.
 *
 * <p>{@code /socket.io/?EIO=4&transport=polling} is Engine.IO long-polling on Jetty's core API: a handshake
 * answers the open packet; a session's {@code POST} is read whole and answered {@code ok} ({@code 40} queues the
 * CONNECT, {@code 1} ends the session); its {@code GET} takes what is queued, or is held until something is (a
 * ping, each ping interval). The floor of a polling session: a kept-alive HTTP/1.1 connection holding a request.
 *
 * <pre>java -cp parley-bench.jar dev.parley.bench.JettyFloor [port]</pre>
 *
 * <p>Thread-safe.
 */
public final class JettyFloor implements AutoCloseable {
  private static final SecureRandom IDS = new SecureRandom();
  private static final byte[] PING = {'2'};
  private static final String HEARTBEAT = ":\n\n";
  /** Parley's SSE transport's default heartbeat. */
  private static final Duration DEFAULT_SSE_HEARTBEAT = Duration.ofSeconds(15);
  private static final int SLICES = Runtime.getRuntime().availableProcessors();

  private final Server jetty;
  private final ServerConnector connector;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
  private final Map<String, Poll> polls = new ConcurrentHashMap<>();
  private final Map<String, Set<Socket>> rooms = new ConcurrentHashMap<>();
  private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "floor-pinger");
    thread.setDaemon(true);
    return thread;
  });
  private final String openTail;
  private final long pingNanos;
  private final Executor pool;

  private JettyFloor(Server jetty, ServerConnector connector, WebSocketTransportConfig parley) {
    this.jetty = jetty;
    this.connector = connector;
    this.pool = jetty.getThreadPool();
    this.pingNanos = parley.pingInterval().toNanos();
    this.openTail = "\",\"upgrades\":[],\"pingInterval\":" + parley.pingInterval().toMillis() + ",\"pingTimeout\":"
        + parley.pingTimeout().toMillis() + ",\"maxPayload\":" + parley.maxPayload() + "}";
  }

  /** Runs a floor on {@code args[0]} (3002 if absent) until the process is ended. */
  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    JettyFloor floor = start(args.length > 0 ? Integer.parseInt(args[0]) : 3002);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        floor.close();
      } catch (Exception e) {
        System.err.println("floor: " + e);
      }
    }));
    System.out.println("jetty floor on http://127.0.0.1:" + floor.port() + " pid " + ProcessHandle.current().pid());
    floor.jetty.join();
  }

  /**
   * Starts a floor on 127.0.0.1.
   *
   * @param port the port, or 0 for a free one
   * @return the started floor
   * @throws Exception if Jetty does not start
   */
  public static JettyFloor start(int port) throws Exception {
    return start(port, DEFAULT_SSE_HEARTBEAT);
  }

  /**
   * Starts a floor on 127.0.0.1 whose SSE streams get a comment every {@code sseHeartbeat} (which is also how
   * it notices a stream its client closed).
   *
   * @param port the port, or 0 for a free one
   * @param sseHeartbeat how often each SSE stream is written to when idle
   * @return the started floor
   * @throws Exception if Jetty does not start
   */
  public static JettyFloor start(int port, Duration sseHeartbeat) throws Exception {
    JettyHostConfig host = JettyHostConfig.defaults();
    QueuedThreadPool pool = new QueuedThreadPool(BenchServer.JETTY_THREADS, host.minThreads());
    pool.setName("floor-jetty");
    Server jetty = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setHeaderCacheSize(0);
    ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setAcceptQueueSize(1024);
    connector.setIdleTimeout(host.idleTimeout().toMillis());
    jetty.addConnector(connector);
    WebSocketTransportConfig parley = WebSocketTransportConfig.defaults();
    JettyFloor floor = new JettyFloor(jetty, connector, parley);
    WebSocketUpgradeHandler upgrade =
        new WebSocketUpgradeHandler(WebSocketServerComponents.ensureWebSocketComponents(jetty));
    // Parley's core path sets this idle timeout on each socket: beyond the heartbeat's own.
    upgrade.getConfiguration().setIdleTimeout(parley.pingInterval().plus(parley.pingTimeout()).plusSeconds(5));
    upgrade.addMapping("/socket.io/", (request, response, callback) -> {
      response.setExtensions(List.of());
      return floor.new Socket();
    });
    jetty.setHandler(new Handler.Sequence(floor.new SseStreams(), floor.new Polling(), withoutQuery(upgrade)));
    jetty.start();
    long every = parley.pingInterval().toMillis();
    floor.pinger.scheduleAtFixedRate(floor::pingAll, every, every, TimeUnit.MILLISECONDS);
    floor.pinger.scheduleAtFixedRate(floor::pingPolls, 1, 1, TimeUnit.SECONDS);
    long beat = sseHeartbeat.toMillis();
    floor.pinger.scheduleAtFixedRate(floor::beatAll, beat, beat, TimeUnit.MILLISECONDS);
    return floor;
  }

  /** The port it listens on. */
  public int port() {
    return connector.getLocalPort();
  }

  /** The WebSocket connections open now. */
  public int openSockets() {
    return sockets.size();
  }

  /** The polling sessions open now (a session its client left counts until it posts its close). */
  public int openPolls() {
    return polls.size();
  }

  /** The SSE streams open now (a stream its client closed counts until a heartbeat finds it gone). */
  public int openStreams() {
    return streams.size();
  }

  @Override
  public void close() throws Exception {
    pinger.shutdownNow();
    jetty.stop();
  }

  /**
   * Sends {@code message} to every one of {@code members}, the bytes shared, in as many slices as there are
   * cores, each on a pool thread: a write per socket is a system call, and one thread writing a thousand
   * sockets in turn would make the last one wait for all the others.
   */
  private void broadcast(Socket[] members, ByteBuffer message) {
    int slices = Math.min(members.length, SLICES);
    for (int slice = 0; slice < slices; slice++) {
      int from = members.length * slice / slices;
      int to = members.length * (slice + 1) / slices;
      pool.execute(() -> {
        for (int i = from; i < to; i++) {
          members[i].send(message.duplicate());
        }
      });
    }
  }

  private void pingAll() {
    for (Socket socket : sockets) {
      socket.send(ByteBuffer.wrap(PING));
    }
  }

  /**
   * Pings each polling session a ping interval after its handshake and then every interval, as Parley and Socket.IO
   * do; a session whose previous ping was never taken (no GET came for it) is gone, and forgotten.
   */
  private void pingPolls() {
    long now = System.nanoTime();
    for (Poll poll : polls.values()) {
      if (now - poll.nextPing >= 0) {
        poll.nextPing = now + pingNanos;
        if (poll.unanswered()) {
          polls.remove(poll.id);
        } else {
          poll.queue("2");
        }
      }
    }
  }

  private void beatAll() {
    for (Stream stream : streams) {
      stream.write(HEARTBEAT);
    }
  }

  /**
   * {@code GET /sse/...}: an SSE stream held open on Jetty's core API (no servlet), its first event the session's
   * as Parley's SSE transport sends it, then a comment at each heartbeat. Anything else goes on to the
   * WebSocket upgrade.
   */
  private final class SseStreams extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      if (!Request.getPathInContext(request).startsWith("/sse/")) {
        return false;
      }
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
      Stream stream = new Stream(response, callback);
      streams.add(stream);
      stream.write("event: parley:session\ndata: {\"id\":\"" + newId() + "\"}\n\n");
      return true;
    }
  }

  /** One held SSE response: one write at a time (a heartbeat that finds one pending is skipped). */
  private final class Stream implements Callback {
    private final Response response;
    private final Callback done;
    private final AtomicBoolean writing = new AtomicBoolean();

    Stream(Response response, Callback done) {
      this.response = response;
      this.done = done;
    }

    void write(String text) {
      if (writing.compareAndSet(false, true)) {
        response.write(false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), this);
      }
    }

    @Override
    public void succeeded() {
      writing.set(false);
    }

    @Override
    public void failed(Throwable cause) {
      // The client is gone: the response ends with the failure.
      if (streams.remove(this)) {
        done.failed(cause);
      }
    }
  }

  /**
   * {@code /socket.io/?...transport=polling}: the handshake, a session's posts and its long-polls. Anything else,
   * a WebSocket upgrade included, goes on.
   */
  private final class Polling extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String query = request.getHttpURI().getQuery();
      if (!Request.getPathInContext(request).startsWith("/socket.io/") || query == null
          || !query.contains("transport=polling")) {
        return false;
      }
      int at = query.indexOf("sid=");
      if (at < 0) {
        Poll poll = new Poll(newId(), System.nanoTime() + pingNanos);
        polls.put(poll.id, poll);
        answer(response, callback, "0{\"sid\":\"" + poll.id + openTail);
        return true;
      }
      int end = query.indexOf('&', at);
      Poll poll = polls.get(query.substring(at + 4, end < 0 ? query.length() : end));
      if (poll == null) {
        Response.writeError(request, response, callback, 400);
      } else if (HttpMethod.POST.is(request.getMethod())) {
        Content.Source.asStringAsync(request, StandardCharsets.UTF_8).whenComplete((body, failure) -> {
          if (failure != null) {
            callback.failed(failure);
            return;
          }
          if (body.startsWith("40")) {
            poll.queue("40{\"sid\":\"" + newId() + "\"}");
          } else if (body.startsWith("1")) {
            polls.remove(poll.id);
            poll.queue("1");
          }
          answer(response, callback, "ok");
        });
      } else {
        poll.hold(response, callback);
      }
      return true;
    }
  }

  /** One polling session: the packets waiting for a GET, or the GET waiting for packets. */
  private static final class Poll {
    private final String id;
    // Read and written by the pinger only.
    private long nextPing;
    // Guarded by this.
    private @Nullable String waiting;
    private @Nullable Held held;
    private boolean pingWaiting;

    Poll(String id, long firstPing) {
      this.id = id;
      this.nextPing = firstPing;
    }

    // Whether a ping waits that no GET took.
    synchronized boolean unanswered() {
      return pingWaiting;
    }

    void queue(String packet) {
      Held get;
      synchronized (this) {
        get = held;
        if (get == null) {
          waiting = waiting == null ? packet : waiting + '\u001e' + packet;
          pingWaiting |= packet.equals("2");
          return;
        }
        held = null;
      }
      answer(get.response(), get.callback(), packet);
    }

    void hold(Response response, Callback callback) {
      String packets;
      Held previous;
      synchronized (this) {
        previous = held;
        held = null;
        if (waiting == null) {
          held = new Held(response, callback);
          packets = null;
        } else {
          packets = waiting;
          waiting = null;
          pingWaiting = false;
        }
      }
      if (previous != null) {
        // A second GET while one is held: the first ends with a noop, not left hanging.
        answer(previous.response(), previous.callback(), "6");
      }
      if (packets != null) {
        answer(response, callback, packets);
      }
    }
  }

  private record Held(Response response, Callback callback) {
  }

  private static void answer(Response response, Callback callback, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  /**
   * {@code upgrade} handed each request with its URI's query taken off, as Parley's core path hands it: Jetty's
   * handshake keeps for the socket's life a map of the query's parameters (about 0.3 KiB for
   * {@code ?EIO=4&transport=websocket}), which neither needs.
   */
  private static Handler withoutQuery(Handler upgrade) {
    return new Handler.Wrapper(upgrade) {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        HttpURI uri = HttpURI.build(request.getHttpURI()).query(null).asImmutable();
        return super.handle(new Request.Wrapper(request) {
          @Override
          public HttpURI getHttpURI() {
            return uri;
          }
        }, response, callback);
      }
    };
  }

  private static String newId() {
    byte[] bytes = new byte[15];
    IDS.nextBytes(bytes);
    return Base64.getUrlEncoder().encodeToString(bytes);
  }

  /** One socket: Jetty hands it a frame at a time, the next on demand. */
  private final class Socket implements FrameHandler {
    private volatile @Nullable CoreSession session;
    private final String id = newId();

    @Override
    public void onOpen(CoreSession opened, Callback callback) {
      session = opened;
      sockets.add(this);
      callback.succeeded();
      send(text("0{\"sid\":\"" + id + openTail));
      opened.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
      CoreSession current = session;
      if (current == null || frame.getOpCode() == OpCode.CLOSE) {
        // Jetty answers a close frame itself.
        callback.succeeded();
        return;
      }
      if (frame.getOpCode() == OpCode.TEXT && frame.isFin()) {
        // The payload is Jetty's until the callback: read it into a string first.
        receive(frame.getPayloadAsUTF8());
      }
      callback.succeeded();
      current.demand();
    }

    private void receive(String packet) {
      if (packet.startsWith("40")) {
        send(text("40{\"sid\":\"" + newId() + "\"}"));
        return;
      }
      if (!packet.startsWith("42")) {
        return;
      }
      int open = packet.indexOf('[');
      if (open < 0) {
        return;
      }
      String ackId = packet.substring(2, open);
      List<String> parts = split(packet, open);
      if (parts.isEmpty()) {
        return;
      }
      switch (parts.get(0)) {
        case "\"join\"" -> {
          if (parts.size() > 1) {
            rooms.computeIfAbsent(parts.get(1), room -> ConcurrentHashMap.newKeySet()).add(this);
          }
          if (!ackId.isEmpty()) {
            send(text("43" + ackId + "[\"ok\"]"));
          }
        }
        case "\"pub\"" -> {
          Set<Socket> room = parts.size() > 2 ? rooms.get(parts.get(1)) : null;
          if (room != null) {
            broadcast(room.toArray(Socket[]::new), text("42[\"msg\"," + parts.get(2) + "]"));
          }
        }
        case "\"echo\"" -> {
          if (!ackId.isEmpty()) {
            send(text("43" + ackId + "[" + (parts.size() > 1 ? parts.get(1) : "") + "]"));
          }
        }
        default -> {
        }
      }
    }

    void send(ByteBuffer payload) {
      CoreSession current = session;
      if (current != null) {
        current.sendFrame(new Frame(OpCode.TEXT, true, payload), Callback.NOOP, false);
      }
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
      callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
      session = null;
      sockets.remove(this);
      for (Set<Socket> room : rooms.values()) {
        room.remove(this);
      }
      callback.succeeded();
    }
  }

  private static ByteBuffer text(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The top-level elements of the JSON array that starts at {@code open}, as text: at most three (event, room
   * or argument, payload), the last running to the array's end. Strings are kept with their quotes.
   */
  static List<String> split(String packet, int open) {
    int end = packet.lastIndexOf(']');
    if (end <= open) {
      return List.of();
    }
    List<String> parts = new ArrayList<>(3);
    int start = open + 1;
    int depth = 0;
    boolean quoted = false;
    for (int i = start; i < end && parts.size() < 2; i++) {
      char c = packet.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '[' || c == '{') {
        depth++;
      } else if (c == ']' || c == '}') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(packet.substring(start, i));
        start = i + 1;
      }
    }
    if (start < end) {
      parts.add(packet.substring(start, end));
    }
    return parts;
  }
}
