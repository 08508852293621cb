package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.Message;
import dev.parley.store.memory.MemoryStore;
import dev.parley.testsupport.RawSocket;
import dev.parley.testsupport.Timeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Connection state recovery on the wire, with a bare WebSocket: what the CONNECT answer carries, and what
 * a reconnecting client gets for a private id or an offset that do not name a session it may have.
 */
class RecoveryProtocolTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private ChatServer server(Consumer<ChatServerConfig.Builder> config) {
    ChatServer server = RecoveryApp.start(new MemoryStore(), config);
    resources.add(server);
    return server;
  }

  private static String url(ChatServer server) {
    return "http://127.0.0.1:" + RecoveryApp.port(server);
  }

  /** Opens a socket and sends CONNECT with {@code auth} (or none); returns the CONNECT answer's data. */
  private static JsonNode connect(RawSocket raw, String auth) throws Exception {
    assertThat(raw.next()).startsWith("0{");
    raw.send(auth == null ? "40" : "40" + auth);
    String answer = raw.next();
    assertThat(answer).startsWith("40{");
    return JSON.readTree(answer.substring(2));
  }

  /** Waits for the connection handler's join: the CONNECT answer can overtake it. */
  private static void inLobby(ChatServer server, String sid) {
    await().atMost(Timeouts.STEP).until(() -> server.namespace().channel(sid)
        .map(channel -> channel.rooms().contains("lobby")).orElse(false));
  }

  /** The next event frame's arguments (the lobby's last-50 replay and pings aside). */
  private static JsonNode event(RawSocket raw) throws Exception {
    String frame = raw.next();
    assertThat(frame).startsWith("42[");
    return JSON.readTree(frame.substring(2));
  }

  @Test
  void theConnectAnswerCarriesAnUnguessablePrivateId() throws Exception {
    ChatServer server = server(c -> { });
    RawSocket raw = RawSocket.open(url(server), true);
    JsonNode answer = connect(raw, null);
    String sid = answer.path("sid").asString();
    String pid = answer.path("pid").asString();
    assertThat(pid).matches("[A-Za-z0-9_-]{22}").isNotEqualTo(sid);
    RawSocket other = RawSocket.open(url(server), true);
    assertThat(connect(other, null).path("pid").asString()).isNotEqualTo(pid);
  }

  @Test
  void noPrivateIdWhenRecoveryIsOff() throws Exception {
    ChatServer server = server(c -> c.maxDisconnectionDuration(Duration.ZERO));
    RawSocket raw = RawSocket.open(url(server), true);
    JsonNode answer = connect(raw, null);
    assertThat(answer.has("pid")).isFalse();
    inLobby(server, answer.path("sid").asString());
    server.room("lobby").post("chat", Map.of("n", 1)).block(Timeouts.STEP);
    assertThat(event(raw).size()).as("event name and payload, no offset").isEqualTo(2);
  }

  @Test
  void anUnknownPrivateIdGetsANewSession() throws Exception {
    ChatServer server = server(c -> { });
    RawSocket raw = RawSocket.open(url(server), true);
    JsonNode answer = connect(raw, "{\"pid\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"offset\":\"0000000000000001\",\"user\":\"u\"}");
    assertThat(answer.path("pid").asString()).isNotEqualTo("AAAAAAAAAAAAAAAAAAAAAA").hasSize(22);
    String sid = answer.path("sid").asString();
    assertThat(server.namespace().channel(sid).orElseThrow().recovered()).isFalse();
  }

  @Test
  void onlyOneOfTwoConnectionsPresentingTheSamePrivateIdRecovers() throws Exception {
    ChatServer server = server(c -> { });
    RawSocket first = RawSocket.open(url(server), true);
    JsonNode answer = connect(first, null);
    String sid = answer.path("sid").asString();
    String pid = answer.path("pid").asString();
    first.abort();
    await().atMost(Timeouts.STEP).until(() -> server.namespace().channel(sid).isEmpty());

    RawSocket one = RawSocket.open(url(server), true);
    RawSocket two = RawSocket.open(url(server), true);
    assertThat(one.next()).startsWith("0{");
    assertThat(two.next()).startsWith("0{");
    String resume = "40{\"pid\":\"" + pid + "\"}";
    CompletableFuture.allOf(CompletableFuture.runAsync(() -> one.send(resume)),
        CompletableFuture.runAsync(() -> two.send(resume)))
        .orTimeout(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS).join();
    List<String> sids = List.of(JSON.readTree(one.next().substring(2)).path("sid").asString(),
        JSON.readTree(two.next().substring(2)).path("sid").asString());
    assertThat(sids).filteredOn(sid::equals).hasSize(1);
    assertThat(sids).filteredOn(s -> !s.equals(sid)).hasSize(1);
  }

  @Test
  void anOffsetTheChannelNoLongerRemembersGetsANewSession() throws Exception {
    ChatServer server = server(c -> c.recoveryJournalSize(2));
    RawSocket raw = RawSocket.open(url(server), true);
    JsonNode answer = connect(raw, null);
    String sid = answer.path("sid").asString();
    String pid = answer.path("pid").asString();
    List<String> offsets = new ArrayList<>();
    inLobby(server, sid);
    for (int i = 0; i < 4; i++) {
      server.room("lobby").post("chat", Map.of("n", i)).block(Timeouts.STEP);
      JsonNode event = event(raw);
      offsets.add(event.get(2).asString());
    }
    raw.abort();
    await().atMost(Timeouts.STEP).until(() -> server.namespace().channel(sid).isEmpty());

    RawSocket again = RawSocket.open(url(server), true);
    JsonNode stale = connect(again, "{\"pid\":\"" + pid + "\",\"offset\":\"" + offsets.get(1) + "\"}");
    assertThat(stale.path("sid").asString()).as("the journal of 2 forgot the second of 4").isNotEqualTo(sid);
    assertThat(stale.path("pid").asString()).isNotEqualTo(pid);
  }

  @Test
  void anOffsetTheChannelWasNeverSentGetsANewSession() throws Exception {
    ChatServer server = server(c -> { });
    RawSocket raw = RawSocket.open(url(server), true);
    JsonNode answer = connect(raw, null);
    String sid = answer.path("sid").asString();
    String pid = answer.path("pid").asString();
    inLobby(server, sid);
    server.room("lobby").post("chat", Map.of("n", 1)).block(Timeouts.STEP);
    event(raw);
    String elsewhere = server.room("elsewhere").post("chat", Map.of("n", 2)).block(Timeouts.STEP).id();
    raw.abort();
    await().atMost(Timeouts.STEP).until(() -> server.namespace().channel(sid).isEmpty());

    RawSocket again = RawSocket.open(url(server), true);
    JsonNode wrong = connect(again, "{\"pid\":\"" + pid + "\",\"offset\":\"" + elsewhere + "\"}");
    assertThat(wrong.path("sid").asString()).isNotEqualTo(sid);
    // Taken by that attempt: the right offset now finds nothing either, and nothing is half-restored.
    RawSocket late = RawSocket.open(url(server), true);
    assertThat(connect(late, "{\"pid\":\"" + pid + "\"}").path("sid").asString()).isNotEqualTo(sid);
  }

  @Test
  void aRecoveredChannelCanBeRecoveredAgainBeforeItIsSentAnything() throws Exception {
    ChatServer server = server(c -> { });
    RawSocket raw = RawSocket.open(url(server), true);
    JsonNode answer = connect(raw, null);
    String sid = answer.path("sid").asString();
    String pid = answer.path("pid").asString();
    inLobby(server, sid);
    server.room("lobby").post("chat", Map.of("n", 1)).block(Timeouts.STEP);
    String offset = event(raw).get(2).asString();
    for (int i = 0; i < 2; i++) {
      raw.abort();
      await().atMost(Timeouts.STEP).until(() -> server.namespace().channel(sid).isEmpty());
      raw = RawSocket.open(url(server), true);
      JsonNode again = connect(raw, "{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}");
      assertThat(again.path("sid").asString()).as("recovery %d", i + 1).isEqualTo(sid);
      assertThat(again.path("pid").asString()).isEqualTo(pid);
    }
    Message live = server.room("lobby").post("chat", Map.of("n", 2)).block(Timeouts.STEP);
    assertThat(event(raw).get(2).asString()).as("nothing replayed twice: the next is the live one")
        .isEqualTo(live.id());
  }
}
