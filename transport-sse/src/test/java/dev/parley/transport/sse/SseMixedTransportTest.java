package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.Message;
import dev.parley.testsupport.RawSocket;
import dev.parley.testsupport.SseParser.SseEvent;
import dev.parley.testsupport.Timeouts;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * SSE and Socket.IO-over-WebSocket clients in one room: each sees the other's posts and emits, and every
 * member sees the room's posts in the same order, whatever its transport.
 */
class SseMixedTransportTest {
  private static final String ROOM = "mixed";
  private static final String AUTH = "{\"room\":\"" + ROOM + "\"}";

  private final HttpClient http = SseTestClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private ChatServer server;
  private SseTestClient sse;
  private SseTestClient sseObserver;
  private RawSocket ws;
  private RawSocket wsObserver;
  private long nextAckId;

  @BeforeEach
  void start() throws Exception {
    server = SseTestApp.start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build(),
        b -> b.transport(new WebSocketTransport(WebSocketTransportConfig.defaults())));
    toClose.add(server);
    sse = SseTestClient.open(http, SseTestApp.stream(server, ROOM));
    toClose.add(sse);
    sseObserver = SseTestClient.open(http, SseTestApp.stream(server, ROOM));
    toClose.add(sseObserver);
    ws = RawSocket.connect(http, SseTestApp.url(server), AUTH);
    toClose.add(ws);
    wsObserver = RawSocket.connect(http, SseTestApp.url(server), AUTH);
    toClose.add(wsObserver);
    sse.sync();
    sseObserver.sync();
    sync(ws);
    sync(wsObserver);
    assertThat(server.room(ROOM).members()).hasSize(4);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    toClose.clear();
  }

  private void sync(RawSocket socket) throws Exception {
    long id = nextAckId++;
    socket.emit(id, "echo", "sync");
    assertThat(socket.nextAck(id).get(0).asString()).isEqualTo("sync");
  }

  private static String plain(JsonNode value) {
    return value.isString() ? value.asString() : value.toString();
  }

  private static String text(JsonNode payload) {
    return payload.path("text").asString();
  }

  @Test
  void sseAndWebSocketClientsSeeEachOthersPostsAndEmits() throws Exception {
    HttpResponse<String> posted = sse.emitAwaitingAck("chat", Map.of("text", "from sse"));
    assertThat(posted.statusCode()).isEqualTo(200);
    String sseMessageId = SseTestClient.MAPPER.readTree(posted.body()).get(0).asString();
    for (RawSocket socket : List.of(ws, wsObserver)) {
      ArrayNode event = socket.nextEvent();
      assertThat(event.get(0).asString()).isEqualTo("chat");
      assertThat(text(event.get(1))).isEqualTo("from sse");
    }
    SseEvent seen = sseObserver.next("chat");
    assertThat(seen.id()).isEqualTo(sseMessageId);

    long ackId = nextAckId++;
    ws.emit(ackId, "chat", Map.of("text", "from ws"));
    String wsMessageId = ws.nextAck(ackId).get(0).asString();
    for (SseTestClient client : List.of(sse, sseObserver)) {
      SseEvent chat = client.next("chat");
      assertThat(chat.id()).isEqualTo(wsMessageId);
      assertThat(text(SseTestClient.MAPPER.readTree(chat.data()))).isEqualTo("from ws");
    }
    assertThat(text(wsObserver.nextEvent().get(1))).isEqualTo("from ws");

    assertThat(sse.emit("typing", "sse is typing").statusCode()).isEqualTo(204);
    for (RawSocket socket : List.of(ws, wsObserver)) {
      // Recovery is on by default: an emit ending in a string gets an empty offset slot over Socket.IO, so a
      // client does not take "sse is typing" for the offset of the last post it saw.
      assertThat(socket.nextEvent())
          .isEqualTo(SseTestClient.MAPPER.readTree("[\"typing\",\"sse is typing\",null]"));
    }
    assertThat(sseObserver.next("typing").data()).isEqualTo("\"sse is typing\"");

    ws.emit(-1, "typing", "ws is typing", 2);
    for (SseTestClient client : List.of(sse, sseObserver)) {
      SseEvent typing = client.next("typing");
      assertThat(typing.id()).isNull();
      assertThat(SseTestClient.MAPPER.readTree(typing.data()))
          .isEqualTo(SseTestClient.MAPPER.readTree("{\"parley:args\":[\"ws is typing\",2]}"));
    }
    assertThat(wsObserver.nextEvent()).isEqualTo(SseTestClient.MAPPER.readTree("[\"typing\",\"ws is typing\",2]"));

    // Neither sender got its own post or emit back.
    sse.sync();
    sync(ws);
    assertThat(sse.pending()).isZero();
    assertThat(ws.pending()).isZero();
  }

  @Test
  void concurrentPostsFromBothTransportsReachEveryMemberInTheSameOrder() throws Exception {
    int each = 30;
    CompletableFuture<Void> fromSse = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < each; i++) {
        try {
          // 200 or 204: the store's ack may come before or after the handler returned.
          assertThat(sse.emit("chat", Map.of("text", "sse-" + i)).statusCode()).isIn(200, 204);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    });
    CompletableFuture<Void> fromWs = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < each; i++) {
        ws.emit(-1, "chat", Map.of("text", "ws-" + i));
      }
    });
    for (int i = 0; i < each; i++) {
      server.room(ROOM).post("chat", Map.of("text", "server-" + i));
    }
    fromSse.get(30, TimeUnit.SECONDS);
    fromWs.get(30, TimeUnit.SECONDS);

    List<String> sseObserved = new ArrayList<>();
    List<String> sseObservedIds = new ArrayList<>();
    for (int i = 0; i < 3 * each; i++) {
      SseEvent chat = sseObserver.next("chat");
      sseObserved.add(text(SseTestClient.MAPPER.readTree(chat.data())));
      sseObservedIds.add(chat.id());
    }
    List<String> wsObserved = new ArrayList<>();
    for (int i = 0; i < 3 * each; i++) {
      ArrayNode event = wsObserver.nextEvent();
      assertThat(event.get(0).asString()).isEqualTo("chat");
      wsObserved.add(text(event.get(1)));
    }
    List<Message> history = server.room(ROOM).history(10 * each).collectList().block(Timeouts.STEP);
    assertThat(sseObservedIds).containsExactlyElementsOf(history.stream().map(Message::id).toList());
    List<String> order = history.stream().map(m -> text(m.payload())).toList();
    assertThat(sseObserved).containsExactlyElementsOf(order);
    assertThat(wsObserved).as("the WebSocket member sees the same order as the SSE member")
        .containsExactlyElementsOf(order);
    // Each sender's own posts, in the order it sent them.
    for (String sender : List.of("sse-", "ws-", "server-")) {
      List<String> own = order.stream().filter(t -> t.startsWith(sender)).toList();
      assertThat(own).hasSize(each);
      for (int i = 0; i < each; i++) {
        assertThat(own.get(i)).isEqualTo(sender + i);
      }
    }

    // The posting members see everything in that order except their own posts.
    List<String> sseSaw = new ArrayList<>();
    for (int i = 0; i < 2 * each; i++) {
      sseSaw.add(text(SseTestClient.MAPPER.readTree(sse.next("chat").data())));
    }
    assertThat(sseSaw).containsExactlyElementsOf(order.stream().filter(t -> !t.startsWith("sse-")).toList());
    List<String> wsSaw = new ArrayList<>();
    for (int i = 0; i < 2 * each; i++) {
      wsSaw.add(text(ws.nextEvent().get(1)));
    }
    assertThat(wsSaw).containsExactlyElementsOf(order.stream().filter(t -> !t.startsWith("ws-")).toList());
  }

  @Test
  void emitsOfOneSenderArriveInOrderOnBothTransports() throws Exception {
    int count = 20;
    for (int i = 0; i < count; i++) {
      assertThat(sse.emit("typing", "s" + i).statusCode()).isEqualTo(204);
      ws.emit(-1, "typing", "w" + i);
      server.to(ROOM).emit("tick", i);
    }
    List<String> sseObserved = new ArrayList<>();
    for (int i = 0; i < 3 * count; i++) {
      SseEvent event = sseObserver.next();
      sseObserved.add(event.event() + ":" + plain(SseTestClient.MAPPER.readTree(event.data())));
    }
    List<String> wsObserved = new ArrayList<>();
    for (int i = 0; i < 3 * count; i++) {
      ArrayNode event = wsObserver.nextEvent();
      wsObserved.add(event.get(0).asString() + ":" + plain(event.get(1)));
    }
    for (List<String> observed : List.of(sseObserved, wsObserved)) {
      for (String prefix : List.of("typing:s", "typing:w", "tick:")) {
        List<String> fromOne = observed.stream().filter(e -> e.startsWith(prefix)).toList();
        assertThat(fromOne).hasSize(count);
        for (int i = 0; i < count; i++) {
          assertThat(fromOne.get(i)).as("%s", observed).isEqualTo(prefix + i);
        }
      }
    }
  }
}
