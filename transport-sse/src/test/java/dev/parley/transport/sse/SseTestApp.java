package dev.parley.transport.sse;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.Handshake;
import dev.parley.Replay;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.store.memory.MemoryStore;
import java.net.URI;
import java.util.function.Consumer;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The application the SSE tests talk to. A channel joins the room its stream URL names (the last path
 * segment: {@code /sse/lobby} → {@code lobby}; a WebSocket client names it in its auth payload,
 * {@code {"room": ...}}, else {@code lobby}), resuming after {@code Last-Event-ID} or replaying the last
 * 50 messages. Handlers: {@code chat} posts its argument to that room and acks the message id once
 * stored; {@code echo} acks its arguments; {@code typing} emits its arguments to the room except the
 * sender; {@code ask} asks the client {@code question} with an ack and emits {@code answer} with the
 * reply. Middleware rejects a query with {@code token=bad} as unauthorized (SSE: 401), message
 * {@code "not authorized"}, data {@code {"status": 401}}.
 */
final class SseTestApp {
  private SseTestApp() {
  }

  static ChatServer start(SseTransportConfig config) {
    return start(config, b -> { });
  }

  /** Starts the app on 127.0.0.1, port 0, with a fresh memory store; {@code extra} adjusts the builder. */
  static ChatServer start(SseTransportConfig config, Consumer<ChatServer.Builder> extra) {
    return start(new SseTransport(config), extra);
  }

  /** Starts the app with this transport instance, which a test keeps to ask {@link SseTransport#openStreams()}. */
  static ChatServer start(SseTransport transport, Consumer<ChatServer.Builder> extra) {
    ChatServer.Builder builder = ChatServer.builder()
        .transport(transport)
        .store(new MemoryStore())
        .config(c -> c.bindAddress("127.0.0.1").port(0))
        .use(handshake -> {
          if (handshake.query("token").filter("bad"::equals).isPresent()) {
            throw ConnectionRejectedException.unauthorized("not authorized",
                JsonNodeFactory.instance.objectNode().put("status", 401));
          }
          return handshake;
        })
        .onConnection(SseTestApp::connected);
    extra.accept(builder);
    return builder.start();
  }

  static void connected(Channel channel) {
    String room = room(channel.handshake());
    channel.join(room, Replay.resume(channel.handshake(), Replay.last(50)));
    channel.on("chat", (ch, event) -> ch.post(room, "chat", event.arg(0)).subscribe(m -> event.ack(m.id())));
    channel.on("echo", (ch, event) -> event.ack(event.args().toArray()));
    channel.on("typing", (ch, event) -> ch.to(room).emit("typing", event.args().toArray()));
    channel.on("ask", (ch, event) -> ch.emitWithAck("question", event.args().toArray())
        .subscribe(reply -> ch.emit("answer", reply.args().toArray()), error -> { }));
  }

  /** The room a handshake names. */
  static String room(Handshake handshake) {
    if (handshake.transport().equals(SseTransport.NAME)) {
      String path = handshake.path();
      String last = path.substring(path.lastIndexOf('/') + 1);
      return last.isEmpty() ? "lobby" : last;
    }
    return handshake.auth().path("room").asString("lobby");
  }

  static String url(ChatServer server) {
    return "http://127.0.0.1:" + server.address().orElseThrow().getPort();
  }

  /** The stream URL of a room on the default path, plus an optional query ({@code "a=b&c=d"}). */
  static URI stream(ChatServer server, String room, String query) {
    return URI.create(url(server) + "/sse/" + room + (query.isEmpty() ? "" : "?" + query));
  }

  static URI stream(ChatServer server, String room) {
    return stream(server, room, "");
  }
}
