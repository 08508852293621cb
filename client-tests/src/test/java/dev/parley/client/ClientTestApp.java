package dev.parley.client;

import dev.parley.ChatServer;
import dev.parley.Event;
import dev.parley.store.memory.MemoryStore;
import dev.parley.testsupport.TcpProxy;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A small Parley server on 127.0.0.1 (any free port) for the client tests, reached directly or through a
 * {@link TcpProxy}. Each channel joins the lobby and then gets {@code welcome} with its id. Events:
 * {@code echo} acks its arguments back; {@code bounce} emits them back as {@code bounced}; {@code whoami}
 * acks the channel id, the auth payload and the {@code X-Test} header; {@code shout} broadcasts to the
 * lobby; {@code dm} sends to one channel id; {@code reverse} acks binary reversed; {@code send-bytes} emits
 * binary; {@code silence} never acks; {@code hold} acks only when {@code release} comes; {@code drop-me}
 * cuts the TCP connection at the proxy. Namespace {@code /admin} has {@code whoami}. (What both transports
 * share is tested against {@link BothTransportsApp}.)
 */
final class ClientTestApp implements AutoCloseable {
  final ChatServer server;
  final TcpProxy proxy;
  /** Connections made to the default namespace so far. */
  final AtomicInteger connections = new AtomicInteger();
  private final AtomicReference<Event> held = new AtomicReference<>();

  ClientTestApp() throws IOException {
    this(WebSocketTransportConfig.defaults());
  }

  ClientTestApp(WebSocketTransportConfig transport) throws IOException {
    server = ChatServer.builder()
        .transport(new WebSocketTransport(transport))
        .store(new MemoryStore())
        .config(c -> c.bindAddress("127.0.0.1").port(0).shutdownTimeout(Duration.ofSeconds(2)))
        .onConnection(channel -> {
          connections.incrementAndGet();
          // "welcome" once the channel is in the lobby: the CONNECT answer can overtake the join.
          channel.join("lobby").subscribe(null, error -> { }, () -> channel.emit("welcome", channel.id()));
          channel.on("echo", (ch, event) -> event.ack(event.args().toArray()));
          channel.on("whoami", (ch, event) ->
              event.ack(ch.id(), ch.handshake().auth(), ch.handshake().header("x-test").orElse("")));
          channel.on("bounce", (ch, event) -> ch.emit("bounced", event.args().toArray()));
          channel.on("shout", (ch, event) -> ch.namespace().to("lobby").emit("broadcast", event.arg(0)));
          channel.on("dm", (ch, event) -> ch.namespace().to(event.arg(0, String.class)).emit("dm", event.arg(1)));
          channel.on("reverse", (ch, event) -> {
            byte[] bytes = event.bytes(0);
            byte[] reversed = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
              reversed[i] = bytes[bytes.length - 1 - i];
            }
            event.ack((Object) reversed);
          });
          channel.on("send-bytes", (ch, event) -> ch.emit("bytes", "label", new byte[] {1, 2, 3, (byte) 255}));
          channel.on("silence", (ch, event) -> { });
          channel.on("hold", (ch, event) -> held.set(event));
          channel.on("release", (ch, event) -> held.getAndSet(null).ack("released"));
          channel.on("drop-me", (ch, event) -> proxy().dropAll());
        })
        .namespace("/admin", ns -> ns.onConnection(channel ->
            channel.on("whoami", (ch, event) -> event.ack(ch.namespace().name(), ch.id()))))
        .start();
    proxy = new TcpProxy(server.address().orElseThrow().getPort());
  }

  private TcpProxy proxy() {
    return proxy;
  }

  /** The server's own address. */
  URI directUrl() {
    return URI.create("http://127.0.0.1:" + server.address().orElseThrow().getPort());
  }

  /** The address of the proxy in front of the server. */
  URI proxiedUrl() {
    return URI.create("http://127.0.0.1:" + proxy.port());
  }

  @Override
  public void close() throws IOException {
    try {
      proxy.close();
    } finally {
      server.close();
    }
  }
}
