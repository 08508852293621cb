package dev.parley.containers;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.store.memory.MemoryStore;
import dev.parley.transport.sse.SseTransport;
import dev.parley.transport.sse.SseTransportConfig;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.time.Duration;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * A Parley application mounted into a Servlet container the test starts, as the README's "Mounting into a
 * Servlet container you already run" says: its {@link #initializer()} starts a server with no host and both
 * transports, mounts them with one call each, and closes the server when the context is destroyed. Each channel is
 * sent {@code welcome} with its id on connecting. Events: {@code echo} acks its arguments back; {@code chat} joins
 * the lobby, posts its argument there as the server (so the sender gets it too) and acks the message id;
 * {@code bye} disconnects the channel (an SSE client's way to end its stream on the server's side at once).
 */
final class MountedApp implements AutoCloseable {
  static final String LOBBY = "lobby";

  // Set by the initializer, on the container's thread, before the container serves anything.
  private volatile ChatServer server;
  private volatile WebSocketTransport websocket;

  /** The README's code, run by the container while the context initialises (before or after its others). */
  ServletContainerInitializer initializer() {
    return (classes, servletContext) -> {
      WebSocketTransport websocket = new WebSocketTransport(WebSocketTransportConfig.defaults());
      SseTransport sse = new SseTransport(SseTransportConfig.defaults());
      ChatServer chat = ChatServer.builder()
          .transport(websocket)
          .transport(sse)
          .host("none")
          .store(new MemoryStore())
          .config(c -> c.shutdownTimeout(Duration.ofSeconds(2)))
          .onConnection(channel -> connected(channel, this))
          .start();
      this.websocket = websocket;
      this.server = chat;
      websocket.mount(servletContext);
      sse.mount(servletContext);
      servletContext.addListener(new ServletContextListener() {
        @Override
        public void contextDestroyed(ServletContextEvent event) {
          chat.close();
        }
      });
    };
  }

  private static void connected(Channel channel, MountedApp app) {
    channel.emit("welcome", channel.id());
    channel.on("echo", (ch, event) -> event.ack(event.args().toArray()));
    // Joined before the post, so that the sender's own stream is in the room when the message is fanned out.
    channel.on("chat", (ch, event) -> ch.join(LOBBY)
        .then(Mono.defer(() -> app.server().room(LOBBY).post("chat", event.arg(0))))
        .subscribe(message -> event.ack(message.id()), error -> event.ack("failed: " + error)));
    channel.on("bye", (ch, event) -> ch.disconnect());
  }

  /** The server the initializer started. */
  ChatServer server() {
    return Objects.requireNonNull(server, "the container has not run the initializer");
  }

  /** The WebSockets the transport has open now, whichever way they were upgraded. */
  int openSockets() {
    return Objects.requireNonNull(websocket, "the container has not run the initializer").stats().get("sockets");
  }

  /** Closes the server if the initializer started it (the container's stop normally has); bounded by its config. */
  @Override
  public void close() {
    ChatServer started = server;
    if (started != null) {
      started.close();
    }
  }
}
