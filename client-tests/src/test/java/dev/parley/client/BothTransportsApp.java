package dev.parley.client;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.Handshake;
import dev.parley.Replay;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.protocol.Refusal;
import dev.parley.host.jetty.JettyHost;
import dev.parley.store.memory.MemoryStore;
import dev.parley.testsupport.TcpProxy;
import dev.parley.transport.sse.SseTransport;
import dev.parley.transport.sse.SseTransportConfig;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A Parley server with the SSE and WebSocket transports on an explicit Jetty host, 127.0.0.1, any free
 * port; reached directly or through a {@link TcpProxy}. It counts {@link #handshakes}. A channel joins the room its handshake names
 * (SSE: the stream path's last segment, {@code /sse/lobby} → {@code lobby}; WebSocket: auth
 * {@code {"room": ...}}; else {@code lobby}), resuming after {@code Last-Event-ID} or replaying nothing.
 * Events: {@code echo} acks its arguments; {@code whoami} acks the channel id, the {@code X-Test} header and
 * the {@code who} cookie; {@code chat} posts its argument to the room and acks the message id;
 * {@code shout} emits its argument to the room as {@code broadcast}; {@code bounce} emits its arguments back
 * as {@code bounced}; {@code ask} asks the client {@code question} with an ack and emits {@code answer} with
 * the reply; {@code silence} never acks; {@code kick} removes the channel. Middleware refuses the query
 * {@code token=bad} as "not authorized" (data {@code {"status": 401}}, so 401 over SSE), every handshake
 * while {@link #refuseAll} is set (403 over SSE); fails on the query {@code token=crash} (refused as
 * "internal server error", 500 over SSE); holds a handshake with the query {@code token=slow} until the app
 * closes, and a resuming SSE handshake while {@link #holdResumes()} is in force.
 */
final class BothTransportsApp implements AutoCloseable {
  final ChatServer server;
  final TcpProxy proxy;
  /** The {@code Last-Event-ID} of every SSE handshake that had one, in order. */
  final List<String> resumedAfter = new CopyOnWriteArrayList<>();
  /** Refuses every handshake while set. */
  final AtomicBoolean refuseAll = new AtomicBoolean();
  /** The kind of those refusals: over SSE, their HTTP status. */
  final AtomicReference<Refusal> refuseAs = new AtomicReference<>(Refusal.REJECTED);
  /** Handshakes the middleware has seen, refused ones included. */
  final AtomicInteger handshakes = new AtomicInteger();
  private final AtomicReference<CountDownLatch> resumeGate = new AtomicReference<>(new CountDownLatch(0));
  private final CountDownLatch slowGate = new CountDownLatch(1);

  BothTransportsApp() throws IOException {
    // A short heartbeat: the server notices an SSE stream whose client went away when a heartbeat cannot be
    // written, and several tests wait for that (300 ms instead of 1 s: ~6 s of the module's tests).
    this(SseTransportConfig.builder().heartbeatInterval(Duration.ofMillis(300)).postAckTimeout(Duration.ofSeconds(1))
        .build());
  }

  BothTransportsApp(SseTransportConfig sse) throws IOException {
    server = ChatServer.builder()
        .host(new JettyHost())
        .transport(new SseTransport(sse))
        .transport(new WebSocketTransport(WebSocketTransportConfig.defaults()))
        .store(new MemoryStore())
        .config(c -> c.bindAddress("127.0.0.1").port(0).shutdownTimeout(Duration.ofSeconds(2)))
        .use(handshake -> {
          handshakes.incrementAndGet();
          if (refuseAll.get()) {
            throw ConnectionRejectedException.of(refuseAs.get(), "closed for maintenance", null);
          }
          if (handshake.query("token").filter("bad"::equals).isPresent()) {
            throw new ConnectionRejectedException("not authorized",
                JsonNodeFactory.instance.objectNode().put("status", 401));
          }
          if (handshake.query("token").filter("crash"::equals).isPresent()) {
            throw new IllegalStateException("the middleware failed");
          }
          if (handshake.query("token").filter("slow"::equals).isPresent()) {
            slowGate.await(10, TimeUnit.SECONDS);
          }
          if (handshake.lastEventId().isPresent()) {
            resumedAfter.add(handshake.lastEventId().get());
            if (!resumeGate.get().await(10, TimeUnit.SECONDS)) {
              throw new IllegalStateException("the test never released the resume");
            }
          }
          return handshake;
        })
        .onConnection(BothTransportsApp::connected)
        .start();
    proxy = new TcpProxy(server.address().orElseThrow().getPort());
  }

  private static void connected(Channel channel) {
    String room = room(channel.handshake());
    channel.join(room, Replay.resume(channel.handshake(), Replay.none()));
    channel.on("echo", (ch, event) -> event.ack(event.args().toArray()));
    channel.on("whoami", (ch, event) -> event.ack(ch.id(), ch.handshake().header("x-test").orElse(""),
        ch.handshake().cookie("who").orElse("")));
    channel.on("chat", (ch, event) -> ch.post(room, "chat", event.arg(0)).subscribe(m -> event.ack(m.id())));
    channel.on("shout", (ch, event) -> ch.namespace().to(room).emit("broadcast", event.arg(0)));
    channel.on("bounce", (ch, event) -> ch.emit("bounced", event.args().toArray()));
    channel.on("ask", (ch, event) -> ch.emitWithAck("question", event.args().toArray())
        .subscribe(reply -> ch.emit("answer", reply.args().toArray()), error -> ch.emit("answer", "error: " + error)));
    channel.on("silence", (ch, event) -> { });
    channel.on("kick", (ch, event) -> ch.disconnect());
  }

  private static String room(Handshake handshake) {
    if (handshake.transport().equals(SseTransport.NAME)) {
      String path = handshake.path();
      String last = path.substring(path.lastIndexOf('/') + 1);
      return last.isEmpty() ? "lobby" : last;
    }
    return handshake.auth().path("room").asString("lobby");
  }

  /** From now on, an SSE handshake with a {@code Last-Event-ID} waits until the returned latch is counted down. */
  CountDownLatch holdResumes() {
    CountDownLatch gate = new CountDownLatch(1);
    resumeGate.set(gate);
    return gate;
  }

  URI directUrl() {
    return URI.create("http://127.0.0.1:" + server.address().orElseThrow().getPort());
  }

  URI proxiedUrl() {
    return URI.create("http://127.0.0.1:" + proxy.port());
  }

  @Override
  public void close() throws IOException {
    resumeGate.get().countDown();
    slowGate.countDown();
    try {
      proxy.close();
    } finally {
      server.close();
    }
  }
}
