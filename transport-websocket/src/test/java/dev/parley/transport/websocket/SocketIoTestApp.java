package dev.parley.transport.websocket;

import dev.parley.ChatServer;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.store.memory.MemoryStore;
import java.util.function.Consumer;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The application every client test talks to: echo with ack, a burst of n events, a room broadcast, a direct
 * message, binary both ways, a server-to-client ack, a second namespace, and middleware that rejects a bad
 * token; a message posted to the lobby (stored, so that a recovering channel gets what it missed, and acked
 * with its id) and whether a channel is still connected, for the connection state recovery steps.
 */
final class SocketIoTestApp {
  private SocketIoTestApp() {
  }

  static ChatServer start(WebSocketTransportConfig config, Consumer<ChatServer.Builder> extra) {
    return start(new WebSocketTransport(config), extra);
  }

  static ChatServer start(WebSocketTransport transport, Consumer<ChatServer.Builder> extra) {
    ChatServer.Builder builder = ChatServer.builder()
        .transport(transport)
        .store(new MemoryStore())
        .config(c -> c.bindAddress("127.0.0.1").port(0))
        .use(handshake -> {
          if ("bad".equals(handshake.auth().path("token").asString(""))) {
            throw new ConnectionRejectedException("not authorized",
                JsonNodeFactory.instance.objectNode().put("reason", "token"));
          }
          return handshake;
        })
        .onConnection(channel -> {
          channel.join("lobby");
          channel.on("echo", (ch, event) -> event.ack(event.arg(0)));
          channel.on("burst", (ch, event) -> {
            for (int i = 0; i < event.arg(0, Integer.class); i++) {
              ch.emit("n", i);
            }
          });
          channel.on("shout", (ch, event) -> ch.namespace().to("lobby").emit("broadcast", event.arg(0)));
          channel.on("dm", (ch, event) ->
              ch.namespace().to(event.arg(0, String.class)).emit("dm", event.arg(1)));
          channel.on("binary", (ch, event) -> {
            byte[] bytes = event.bytes(0);
            byte[] reversed = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
              reversed[i] = bytes[bytes.length - 1 - i];
            }
            event.ack((Object) reversed);
          });
          channel.on("ask", (ch, event) -> ch.emitWithAck("question", event.arg(0))
              .subscribe(reply -> ch.emit("answer", reply.arg(0))));
          channel.on("leave-me", (ch, event) -> ch.disconnect());
          channel.on("post", (ch, event) -> ch.post("lobby", "news", event.arg(0)).subscribe(m -> event.ack(m.id())));
          channel.on("present", (ch, event) ->
              event.ack(ch.namespace().channel(event.arg(0, String.class)).isPresent()));
        })
        .namespace("/admin", ns -> ns.onConnection(channel ->
            channel.on("whoami", (ch, event) -> event.ack(ch.namespace().name()))));
    extra.accept(builder);
    return builder.start();
  }

  static String url(ChatServer server) {
    return "http://127.0.0.1:" + server.address().orElseThrow().getPort();
  }
}
