package dev.parley.client;

import dev.parley.ChatServer;
import dev.parley.Event;
import dev.parley.Handshake;
import dev.parley.host.jetty.JettyHost;
import dev.parley.store.memory.MemoryStore;
import dev.parley.testsupport.TcpProxy;
import dev.parley.testsupport.Timeouts;
import dev.parley.transport.sse.SseTransport;
import dev.parley.transport.sse.SseTransportConfig;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A Parley server with the SSE and WebSocket transports on an explicit Jetty host, 127.0.0.1, any free
 * port, reached directly or through a {@link TcpProxy}, for the client's credentials suppliers and bounds.
 * Its middleware hands every handshake's {@linkplain #token token} to {@code tokens}: the auth payload's
 * {@code token} over WebSocket, the {@code Authorization: Bearer} header over SSE. Events: {@code token} acks
 * the channel's token; {@code echo} acks its arguments; {@code silence} never acks; {@code hold} acks only
 * when {@code release} comes (all held ones at once); {@code block} holds the channel's handlers (and over
 * SSE the post's answer) until {@link #unblock()}, and tells {@link #blocked()} that it does;
 * {@code count} adds its argument to {@link #counted}. Its rate and inbound limits are far above what the
 * tests send, so that no event is dropped on the server's side; an SSE emitWithAck waits 30 s for the ack.
 */
final class TokenAndBoundsApp implements AutoCloseable {
  final ChatServer server;
  final TcpProxy proxy;
  /** The arguments of the {@code count} events, in arrival order. */
  final List<Integer> counted = new CopyOnWriteArrayList<>();
  private final Queue<Event> held = new ConcurrentLinkedQueue<>();
  private final CountDownLatch blocked = new CountDownLatch(1);
  private final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(1));

  TokenAndBoundsApp(Consumer<String> tokens) throws IOException {
    server = ChatServer.builder()
        .host(new JettyHost())
        .transport(new SseTransport(SseTransportConfig.builder().postAckTimeout(Duration.ofSeconds(30)).build()))
        .transport(new WebSocketTransport(WebSocketTransportConfig.defaults()))
        .store(new MemoryStore())
        .config(c -> c.bindAddress("127.0.0.1").port(0).shutdownTimeout(Duration.ofSeconds(2))
            .maxEventsPerSecond(100_000).maxEventBurst(100_000).maxInboundBytes(256L << 20))
        .use(handshake -> {
          tokens.accept(token(handshake));
          return handshake;
        })
        .onConnection(channel -> {
          channel.on("token", (ch, event) -> event.ack(token(ch.handshake())));
          channel.on("echo", (ch, event) -> event.ack(event.args().toArray()));
          channel.on("silence", (ch, event) -> { });
          channel.on("hold", (ch, event) -> held.add(event));
          channel.on("release", (ch, event) -> {
            for (Event waiting = held.poll(); waiting != null; waiting = held.poll()) {
              waiting.ack("released");
            }
          });
          channel.on("block", (ch, event) -> {
            blocked.countDown();
            if (!gate.get().await(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS)) {
              throw new IllegalStateException("the test never unblocked the channel");
            }
          });
          channel.on("count", (ch, event) -> counted.add(event.arg(0, Integer.class)));
        })
        .start();
    proxy = new TcpProxy(server.address().orElseThrow().getPort());
  }

  /** The token a handshake presents: the auth's {@code token}, else the bearer token, else {@code "none"}. */
  static String token(Handshake handshake) {
    String auth = handshake.auth().path("token").asString("");
    if (!auth.isEmpty()) {
      return auth;
    }
    return handshake.header("authorization").filter(value -> value.startsWith("Bearer "))
        .map(value -> value.substring("Bearer ".length())).orElse("none");
  }

  /** How many {@code hold} events wait for a {@code release}. */
  int held() {
    return held.size();
  }

  /** Waits until a {@code block} event holds the channel's handlers. */
  boolean blocked() throws InterruptedException {
    return blocked.await(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Lets the {@code block} event end, and the handlers after it run. */
  void unblock() {
    gate.get().countDown();
  }

  URI directUrl() {
    return URI.create("http://127.0.0.1:" + server.address().orElseThrow().getPort());
  }

  URI proxiedUrl() {
    return URI.create("http://127.0.0.1:" + proxy.port());
  }

  @Override
  public void close() throws IOException {
    unblock();
    try {
      proxy.close();
    } finally {
      server.close();
    }
  }
}
