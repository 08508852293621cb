package dev.parley.client;

import static dev.parley.client.NodeSocketIoServer.bin;
import static dev.parley.client.NodeSocketIoServer.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.error.ConnectionRejectedException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.testsupport.Timeouts;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client over WebSocket against the official Node Socket.IO server, socket.io 4.8.1 (the one the bench
 * compares with), unchanged: what a "Socket.IO v5 server" means to the client is what this server does. Each
 * case asserts what the Node server received or sent, as it reports it ({@link NodeSocketIoServer}). SSE is
 * Parley's own transport and Socket.IO has no counterpart, so only WebSocket is tried here.
 */
class NodeSocketIoServerTest extends ClientTestSupport {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static NodeSocketIoServer node;

  @BeforeAll
  static void startNode() throws InterruptedException {
    node = NodeSocketIoServer.start();
    assertThat(node.version()).isEqualTo("4.8.1");
  }

  @AfterAll
  static void stopNode() throws InterruptedException {
    if (node != null) {
      node.close();
    }
  }

  private ParleyClient.Builder builder(String server) {
    return ParleyClient.builder(node.url(server)).reconnect(FAST);
  }

  private static JsonNode json(String text) {
    return JSON.readTree(text);
  }

  // ---- connecting ----

  @Test
  void connectsToTheDefaultNamespace() throws InterruptedException {
    ParleyClient client = connect(builder("plain"));

    JsonNode connected = node.take("connect", client.id());
    assertThat(connected.path("ns").asString()).isEqualTo("/");
    assertThat(connected.path("auth")).isEqualTo(json("{}"));
    assertThat(client.namespace()).isEqualTo("/");
    assertThat(client.isConnected()).isTrue();
    assertThat(client.recovered()).isFalse();
  }

  @Test
  void connectsToACustomNamespaceWithTheAuthPayloadTheServerChecks() throws InterruptedException {
    ParleyClient client = connect(builder("plain").namespace("/secure")
        .auth(Map.of("token", "s3cret", "user", "ada")));

    JsonNode connected = node.take("connect", client.id());
    assertThat(connected.path("ns").asString()).isEqualTo("/secure");
    assertThat(connected.path("auth")).isEqualTo(json("{\"token\":\"s3cret\",\"user\":\"ada\"}"));
    ClientReply reply = client.emitWithAck("where").block(WAIT);
    assertThat(reply.arg(0, String.class)).isEqualTo("got where");
    assertThat(node.take("event", client.id()).path("ns").asString()).isEqualTo("/secure");
  }

  @Test
  void aMiddlewareRefusalIsAConnectionRejectedExceptionWithTheServersMessageAndData() throws InterruptedException {
    assertThatThrownBy(() -> connect(builder("plain").namespace("/secure").auth(Map.of("token", "wrong-1"))))
        .isInstanceOfSatisfying(ConnectionRejectedException.class, e -> {
          assertThat(e.getMessage()).isEqualTo("bad token");
          assertThat(e.data()).isEqualTo(json("{\"reason\":\"token\"}"));
        });

    node.take("rejected", r -> r.path("auth").path("token").asString().equals("wrong-1"));
  }

  // ---- events ----

  @Test
  void eventsWithSeveralArgumentsTravelBothWays() throws InterruptedException {
    Recorder<ClientEvent> news = events();
    ParleyClient client = connect(builder("plain").on("news", news::accept));

    client.emit("mixed", "text", 42, 3.5, Map.of("k", List.of(1, "two")), List.of(true, false), null);
    JsonNode received = node.take("event", client.id());
    assertThat(received.path("event").asString()).isEqualTo("mixed");
    assertThat(received.path("args")).isEqualTo(json("[\"text\",42,3.5,{\"k\":[1,\"two\"]},[true,false],null]"));
    assertThat(received.path("ack").asBoolean()).isFalse();

    node.emit(client.id(), "news", "headline", -7, 2.25, Map.of("nested", Map.of("a", List.of(1, 2))),
        Arrays.asList(1, "x", null), null);
    ClientEvent event = news.next();
    assertThat(event.args()).containsExactlyElementsOf(
        json("[\"headline\",-7,2.25,{\"nested\":{\"a\":[1,2]}},[1,\"x\",null],null]"));
    assertThat(event.wantsAck()).isFalse();
    assertThat(event.messageId()).isNull();
  }

  // ---- acks ----

  @Test
  void theServersCallbackAnswersTheClientsEmitWithAck() throws InterruptedException {
    ParleyClient client = connect(builder("plain"));

    ClientReply reply = client.emitWithAck("question", "q", 1, Map.of("deep", List.of("x"))).block(WAIT);

    assertThat(reply.args()).containsExactlyElementsOf(json("[\"got question\",\"q\",1,{\"deep\":[\"x\"]}]"));
    JsonNode received = node.take("event", client.id());
    assertThat(received.path("event").asString()).isEqualTo("question");
    assertThat(received.path("ack").asBoolean()).isTrue();
  }

  @Test
  void theClientsHandlerAnswersTheServersEmitWithAck() throws InterruptedException {
    Recorder<ClientEvent> asked = events();
    ParleyClient client = connect(builder("plain").on("ask", event -> {
      asked.accept(event);
      event.ack("answer", 42, Map.of("ok", true), null);
    }));

    int ref = node.emitWithAck(client.id(), "ask", "what?", 1);

    assertThat(node.ackOf(ref)).isEqualTo(json("[\"answer\",42,{\"ok\":true},null]"));
    ClientEvent event = asked.next();
    assertThat(event.wantsAck()).isTrue();
    assertThat(event.args()).containsExactlyElementsOf(json("[\"what?\",1]"));
  }

  // ---- binary ----

  @Test
  void binaryArgumentsTravelToTheServerAsAttachments() throws InterruptedException {
    ParleyClient client = connect(builder("plain"));
    byte[] first = {1, 2, 3};
    byte[] thumb = {(byte) 0xff, 0, (byte) 0x80};
    byte[] part = new byte[1000];
    Arrays.fill(part, (byte) 7);

    client.emit("upload", first, Map.of("thumb", thumb, "parts", List.of(part, "label")), "caption");

    JsonNode args = node.take("event", client.id()).path("args");
    assertThat(args.size()).isEqualTo(3);
    assertThat(bytes(args.get(0))).containsExactly(first);
    assertThat(bytes(args.get(1).path("thumb"))).containsExactly(thumb);
    assertThat(bytes(args.get(1).path("parts").get(0))).containsExactly(part);
    assertThat(args.get(1).path("parts").get(1).asString()).isEqualTo("label");
    assertThat(args.get(2).asString()).isEqualTo("caption");

    // The server's callback sends the same buffers back: a binary ack.
    ClientReply reply = client.emitWithAck("echo", first, Map.of("thumb", thumb)).block(WAIT);
    assertThat(reply.arg(0, String.class)).isEqualTo("got echo");
    assertThat(reply.bytes(1)).containsExactly(first);
    assertThat(reply.arg(2).path("thumb").binaryValue()).containsExactly(thumb);
    assertThat(node.take("event", client.id()).path("ack").asBoolean()).isTrue();
  }

  @Test
  void binaryArgumentsFromTheServerArriveAsBytes() throws InterruptedException {
    Recorder<ClientEvent> files = events();
    ParleyClient client = connect(builder("plain")
        .on("files", files::accept)
        .on("sign", event -> event.ack("signed", new byte[] {9, 8, 7}, Map.of("copy", event.bytes(0)))));

    node.emit(client.id(), "files", new byte[] {1, 2},
        Map.of("doc", new byte[] {3}, "list", List.of(new byte[] {4, 5}, 6)), "name.bin");
    ClientEvent event = files.next();
    assertThat(event.bytes(0)).containsExactly(1, 2);
    assertThat(event.arg(1).path("doc").binaryValue()).containsExactly(3);
    assertThat(event.arg(1).path("list").get(0).binaryValue()).containsExactly(4, 5);
    assertThat(event.arg(1).path("list").get(1).asInt()).isEqualTo(6);
    assertThat(event.arg(2, String.class)).isEqualTo("name.bin");

    // The client's ack with binary arguments: a binary ack the other way.
    int ref = node.emitWithAck(client.id(), "sign", new byte[] {42, 43});
    JsonNode answer = node.ackOf(ref);
    assertThat(answer.get(0).asString()).isEqualTo("signed");
    assertThat(answer.get(1)).isEqualTo(bin(new byte[] {9, 8, 7}));
    assertThat(answer.get(2).path("copy")).isEqualTo(bin(new byte[] {42, 43}));
  }

  // ---- heartbeats ----

  @Test
  void answersTheServersPings() throws InterruptedException {
    ParleyClient client = connect(builder("heartbeat"));
    String id = client.id();

    // A ping every 100 ms: three pongs prove the client answers each, not only the first.
    for (int i = 0; i < 3; i++) {
      node.take("pong", id);
    }
    assertThat(client.isConnected()).isTrue();
    assertThat(client.emitWithAck("still-there").block(WAIT).arg(0, String.class)).isEqualTo("got still-there");
  }

  // ---- losing the connection ----

  @Test
  void reconnectsAfterTheServerClosesTheConnectionAndEventsFlowAgain() throws InterruptedException {
    Recorder<DisconnectReason> disconnects = recorder();
    Recorder<String> connects = recorder();
    Recorder<ClientEvent> news = events();
    ParleyClient client = connect(builder("plain").on("news", news::accept)
        .onConnect(() -> connects.accept("connect")).onDisconnect(disconnects::accept));
    assertThat(connects.next()).isEqualTo("connect");
    String first = client.id();

    node.closeConnection(first);

    assertThat(node.take("disconnect", first).path("reason").asString()).isEqualTo("forced close");
    assertThat(disconnects.next()).isEqualTo(DisconnectReason.TRANSPORT_CLOSE);
    assertThat(connects.next()).isEqualTo("connect");
    String second = client.id();
    assertThat(second).isNotNull().isNotEqualTo(first);
    assertThat(client.recovered()).isFalse();
    assertThat(node.take("connect", second).path("recovered").asBoolean()).isFalse();

    assertThat(client.emitWithAck("again", 2).block(WAIT).args())
        .containsExactlyElementsOf(json("[\"got again\",2]"));
    assertThat(node.take("event", second).path("event").asString()).isEqualTo("again");
    node.emit(second, "news", "back");
    assertThat(news.next().arg(0, String.class)).isEqualTo("back");
  }

  @Test
  void resumesTheSessionOnAServerWithConnectionStateRecovery() throws InterruptedException {
    Recorder<ClientEvent> news = events();
    Recorder<DisconnectReason> disconnects = recorder();
    ParleyClient client = connect(builder("recovery").on("news", news::accept).onDisconnect(disconnects::accept));
    String id = client.id();
    node.take("connect", id);

    // The server appends its offset to each event; the client keeps it, and hides it from the handler.
    node.emit(id, "news", "before", 1);
    ClientEvent before = news.next();
    assertThat(before.args()).containsExactlyElementsOf(json("[\"before\",1]"));
    assertThat(before.messageId()).isNotEmpty();

    node.closeConnectionThenEmit(id, "news", "missed", 2);

    assertThat(disconnects.next()).isEqualTo(DisconnectReason.TRANSPORT_CLOSE);
    ClientEvent missed = news.next();
    assertThat(missed.args()).containsExactlyElementsOf(json("[\"missed\",2]"));
    assertThat(missed.messageId()).isNotEmpty().isNotEqualTo(before.messageId());
    JsonNode reconnected = node.take("connect", id);
    assertThat(reconnected.path("recovered").asBoolean()).isTrue();
    assertThat(reconnected.path("auth").path("pid").asString()).isNotEmpty();
    assertThat(reconnected.path("auth").path("offset").asString()).isEqualTo(before.messageId());
    assertThat(client.id()).isEqualTo(id);
    assertThat(client.recovered()).isTrue();
    assertThat(client.emitWithAck("again").block(WAIT).arg(0, String.class)).isEqualTo("got again");
  }

  /**
   * Socket.IO's semantics: a client the server removed from its namespace ({@code "io server disconnect"})
   * does not reconnect by itself. The client documents the same: {@link DisconnectReason#SERVER_NAMESPACE_DISCONNECT},
   * then disconnected for good.
   */
  @ParameterizedTest(name = "socket.disconnect({0})")
  @ValueSource(booleans = {false, true})
  void aServerSideDisconnectEndsTheClientForGood(boolean close) throws InterruptedException {
    Recorder<DisconnectReason> disconnects = recorder();
    ParleyClient client = connect(builder("plain").onDisconnect(disconnects::accept));
    String id = client.id();
    node.take("connect", id);

    node.disconnect(id, close);

    assertThat(node.take("disconnect", id).path("reason").asString()).isEqualTo("server namespace disconnect");
    assertThat(disconnects.next()).isEqualTo(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    // The Engine.IO connection ends too (closed by the client when the server left it open), and nothing
    // comes after: the reconnect policy (first attempt after 50 ms) is not used.
    node.take("conn-close", id);
    long connects = node.count(r -> r.path("type").asString().equals("connect"));
    await().during(Duration.ofMillis(500)).atMost(Timeouts.STEP)
        .until(() -> node.count(r -> r.path("type").asString().equals("connect")) == connects && !client.isConnected());
    assertThat(client.id()).isNull();
    assertThatThrownBy(() -> client.emit("late")).isInstanceOf(IllegalStateException.class);
  }
}
