package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client over WebSocket resuming its session by connection state recovery: the server's private id and
 * the last offset go back on reconnect, and the offset slot never reaches the application.
 */
class ClientRecoveryTest extends ClientTestSupport {
  private ClientTestApp app;

  @BeforeEach
  void start() throws IOException {
    app = track(new ClientTestApp());
  }

  @Test
  void applicationArgumentsNeverShowTheRecoverySlot() throws Exception {
    Recorder<ClientEvent> chats = events();
    Recorder<ClientEvent> broadcasts = events();
    Recorder<ClientEvent> welcomes = events();
    ParleyClient client = connect(ParleyClient.builder(app.directUrl())
        .on("chat", chats::accept).on("broadcast", broadcasts::accept).on("welcome", welcomes::accept));
    assertThat(welcomes.next().args()).as("an emit ending with a string").hasSize(1);

    app.server.room("lobby").post("chat", Map.of("text", "posted")).block(WAIT);
    ClientEvent chat = chats.next();
    assertThat(chat.args()).as("a post: its offset is kept by the client").hasSize(1);
    assertThat(chat.arg(0).path("text").asString()).isEqualTo("posted");

    client.emit("shout", (Object) null);
    assertThat(broadcasts.next().args()).as("an emit ending with null").hasSize(1).first().matches(n -> n.isNull());
    client.emit("shout", Map.of("x", 1));
    assertThat(broadcasts.next().args()).as("an emit ending with an object").hasSize(1);
  }

  @Test
  void resumesWithTheSameIdAndEveryPostedMessageOnce() throws Exception {
    List<Integer> received = new CopyOnWriteArrayList<>();
    ParleyClient client = connect(ParleyClient.builder(app.proxiedUrl())
        .reconnect(FAST.withDelays(Duration.ofMillis(300), Duration.ofMillis(600)))
        .connectTimeout(Duration.ofSeconds(2))
        .on("chat", event -> received.add(event.arg(0).path("n").asInt())));
    String id = client.id();
    assertThat(client.recovered()).isFalse();
    // The CONNECT answer can overtake the connection handler's join.
    await().atMost(WAIT).until(() -> app.server.room("lobby").members().size() == 1);

    List<Integer> posted = new ArrayList<>();
    for (int n = 0; n < 40; n++) {
      if (n == 20) {
        // Mid-stream: some of what follows may be written to the dying connection. The client comes back
        // once the server has seen the connection go (a faster client would get a new session).
        app.proxy.refuse(true);
        app.proxy.dropAll();
      }
      app.server.room("lobby").post("chat", Map.of("n", n)).block(WAIT);
      posted.add(n);
    }
    await().atMost(WAIT).until(() -> app.server.namespace().channel(id).isEmpty());
    app.proxy.refuse(false);

    await().atMost(WAIT).until(() -> client.isConnected() && app.proxy.accepted() == 2);
    await().atMost(WAIT).until(() -> received.size() >= posted.size());
    assertThat(client.recovered()).isTrue();
    assertThat(client.id()).isEqualTo(id);
    assertThat(received).as("each once, in order").isEqualTo(posted);
    // A live message after the replay: a duplicate from the replay would have come before it.
    app.server.room("lobby").post("chat", Map.of("n", 40)).block(WAIT);
    posted.add(40);
    await().atMost(WAIT).until(() -> received.contains(40));
    assertThat(received).isEqualTo(posted);
  }

  @Test
  void anSseClientAndAWebSocketClientResumeFromTheSameIds() throws Exception {
    BothTransportsApp both = track(new BothTransportsApp());
    Reconnect soon = FAST.withDelays(Duration.ofMillis(300), Duration.ofMillis(600));
    List<String> viaSse = new CopyOnWriteArrayList<>();
    List<String> viaWebSocket = new CopyOnWriteArrayList<>();
    connect(ParleyClient.builder(both.proxiedUrl()).transport(ClientTransport.SSE).path("/sse/lobby")
        .reconnect(soon).connectTimeout(Duration.ofSeconds(2)).on("chat", event -> viaSse.add(event.messageId())));
    ParleyClient webSocket = connect(ParleyClient.builder(both.proxiedUrl()).reconnect(soon)
        .connectTimeout(Duration.ofSeconds(2)).on("chat", event -> viaWebSocket.add(event.messageId())));
    // The CONNECT answer can overtake the connection handler's join.
    await().atMost(WAIT).until(() -> both.server.room("lobby").members().size() == 2);

    String id = webSocket.id();
    List<String> posted = new ArrayList<>();
    for (int n = 0; n < 30; n++) {
      if (n == 15) {
        both.proxy.refuse(true);
        both.proxy.dropAll();
      }
      posted.add(both.server.room("lobby").post("chat", Map.of("n", n)).block(WAIT).id());
    }
    await().atMost(WAIT).until(() -> both.server.namespace().channels().isEmpty());
    both.proxy.refuse(false);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(viaSse).as("via SSE").hasSizeGreaterThanOrEqualTo(posted.size());
      assertThat(viaWebSocket).as("via WebSocket").hasSizeGreaterThanOrEqualTo(posted.size());
    });

    assertThat(both.resumedAfter).as("the SSE client came back with Last-Event-ID").hasSize(1);
    assertThat(webSocket.recovered()).as("the WebSocket client came back with its offset").isTrue();
    assertThat(webSocket.id()).isEqualTo(id);
    assertThat(posted).contains(both.resumedAfter.get(0));
    assertThat(viaSse).as("each once, in order").isEqualTo(posted);
    assertThat(viaWebSocket).isEqualTo(posted);
    String live = both.server.room("lobby").post("chat", Map.of("n", 30)).block(WAIT).id();
    posted.add(live);
    await().atMost(WAIT).until(() -> viaSse.size() > 30 && viaWebSocket.size() > 30);
    assertThat(viaSse).isEqualTo(posted);
    assertThat(viaWebSocket).isEqualTo(posted);
  }
}
