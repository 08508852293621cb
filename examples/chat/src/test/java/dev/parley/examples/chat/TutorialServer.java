package dev.parley.examples.chat;

import dev.parley.ChatServer;
import dev.parley.host.jetty.JettyHost;
import dev.parley.host.jetty.JettyHostConfig;
import dev.parley.store.memory.MemoryStore;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The seed tutorial's back-end (part 2, Socket.IO) written with Parley handlers, serving its front-end page
 * ({@code src/test/resources/tutorial/index.html}) at {@code /} on the embedded Jetty host, 127.0.0.1, a free
 * port. What the tutorial's Node handlers do, and what stands for it here:
 * <ul>
 *   <li>{@code socket.on('message-name', (data, done) => { done(); io.emit('server-message', data) })}: the ack
 *     (which runs the page's callback), then {@link ChatServer#emit} to everyone, the sender too;</li>
 *   <li>{@code socket.on('joinRoom', (room) => socket.join(room))}: acked once joined;</li>
 *   <li>{@code io.to(room).emit('server-message', data)}: {@code room-message(room, data)} broadcasts to the
 *     room's members.</li>
 * </ul>
 */
final class TutorialServer implements AutoCloseable {
  private final ChatServer server;

  private TutorialServer(ChatServer server) {
    this.server = server;
  }

  /** Starts the back-end with this Socket.IO transport config (say, upgrades refused); the caller closes it. */
  static TutorialServer start(WebSocketTransportConfig transport) {
    // io.emit needs the server, which exists only once started: the handlers look it up when they run.
    AtomicReference<ChatServer> io = new AtomicReference<>();
    ChatServer server = ChatServer.builder()
        .transport(new WebSocketTransport(transport))
        .store(new MemoryStore())
        .host(new JettyHost(JettyHostConfig.builder().staticResources("tutorial/").build()))
        .config(c -> c.bindAddress("127.0.0.1").port(0))
        .onConnection(socket -> {
          socket.on("message-name", (ch, event) -> {
            event.ack();
            io.get().emit("server-message", event.arg(0));
          });
          socket.on("joinRoom", (ch, event) ->
              ch.join(event.arg(0, String.class)).subscribe(null, error -> { }, () -> event.ack()));
          socket.on("room-message", (ch, event) ->
              io.get().to(event.arg(0, String.class)).emit("server-message", event.arg(1)));
        })
        .start();
    io.set(server);
    return new TutorialServer(server);
  }

  ChatServer server() {
    return server;
  }

  /** The page's address. */
  URI url() {
    return URI.create("http://127.0.0.1:" + server.address().orElseThrow().getPort() + "/");
  }

  @Override
  public void close() {
    server.close();
  }
}
