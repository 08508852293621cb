package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.Message;
import dev.parley.examples.chat.RawSocket.Frame;
import dev.parley.testsupport.Timeouts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Every field a client sends is checked: a bad or oversize one gets its defined answer (an
 * {@code {"error": ...}} ack, a dropped event, a refused connection), and nothing of it is stored or
 * reaches anyone else. "Nothing reached the watcher" is checked by the next thing it gets being a line
 * sent afterwards.
 */
class ChatInputTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  @RegisterExtension
  static final RunningChat chat = RunningChat.memory();

  private final List<RawSocket> sockets = new ArrayList<>();
  private RawSocket mallory;
  private RawSocket watcher;

  private RawSocket connect(String nick) throws Exception {
    RawSocket socket = RawSocket.connect(chat.url(), nick);
    sockets.add(socket);
    return socket;
  }

  @BeforeEach
  void twoInGeneral() throws Exception {
    mallory = connect("mallory");
    watcher = connect("watcher");
    assertThat(mallory.join("general").asString()).isEqualTo("ok");
    assertThat(watcher.join("general").asString()).isEqualTo("ok");
    watcher.clear();   // the room's history and presence
  }

  @AfterEach
  void close() {
    sockets.forEach(RawSocket::close);
    // Gone before the next test, whose watcher would otherwise get their "left".
    await("every room empty").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL).untilAsserted(() -> {
      for (String room : ChatRooms.ROOMS) {
        assertThat(chat.server().room(room).members()).as(room).isEmpty();
      }
    });
  }

  private static Map<String, Object> line(Object room, Object text, Object cid) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("room", room);
    line.put("text", text);
    line.put("cid", cid);
    return line;
  }

  private static JsonNode error(String reason) {
    return JSON.objectNode().put("error", reason);
  }

  private List<Message> history() {
    return chat.server().room("general").history(1000).collectList().block(Timeouts.STEP);
  }

  /** A good line from mallory: the next chat the watcher gets must be this one. */
  private void assertNothingElseReachedTheWatcher() throws Exception {
    String marker = "marker " + System.nanoTime();
    assertThat(mallory.ack("chat", line("general", marker, "marker-1")).isString()).isTrue();
    Frame next = watcher.next();
    assertThat(next.event()).isEqualTo("chat");
    assertThat(next.arg().path("text").asString()).isEqualTo(marker);
  }

  @Test
  void joinAcceptsOnlyAKnownRoomNamedByAString() throws Exception {
    for (Object room : new Object[] {"nope", "General", 42, null, List.of("general"), "general".repeat(20_000)}) {
      assertThat(mallory.ack("join", room)).as("join(%.40s)", room).isEqualTo(error("no such room"));
    }
    assertThat(mallory.ack("join")).as("join()").isEqualTo(error("no such room"));
    assertThat(mallory.ack("join", "random").asString()).isEqualTo("ok");
  }

  @Test
  void chatRefusesEachBadLineWithTheRuleItBreaksAndStoresNothing() throws Exception {
    int stored = history().size();
    List<Map.Entry<Object, String>> bad = new ArrayList<>();
    bad.add(Map.entry("just a string", ChatRooms.NOT_A_LINE));
    bad.add(Map.entry(List.of(line("general", "hi", "c-1")), ChatRooms.NOT_A_LINE));
    bad.add(Map.entry(line("nope", "hi", "c-1"), ChatRooms.NO_SUCH_ROOM));
    bad.add(Map.entry(line(7, "hi", "c-1"), ChatRooms.NO_SUCH_ROOM));
    bad.add(Map.entry(line("general", "", "c-1"), ChatRooms.BAD_TEXT));
    bad.add(Map.entry(line("general", "   \t ", "c-1"), ChatRooms.BAD_TEXT));
    bad.add(Map.entry(line("general", 12345, "c-1"), ChatRooms.BAD_TEXT));
    bad.add(Map.entry(line("general", null, "c-1"), ChatRooms.BAD_TEXT));
    bad.add(Map.entry(line("general", "x".repeat(ChatRooms.MAX_TEXT + 1), "c-1"), ChatRooms.BAD_TEXT));
    bad.add(Map.entry(line("general", "y".repeat(200_000), "c-1"), ChatRooms.BAD_TEXT));
    bad.add(Map.entry(line("general", "nul\u0000inside", "c-1"), ChatRooms.CONTROL_IN_TEXT));
    bad.add(Map.entry(line("general", "two\nlines", "c-1"), ChatRooms.CONTROL_IN_TEXT));
    bad.add(Map.entry(line("general", "hi", "c".repeat(ChatRooms.MAX_CID + 1)), ChatRooms.BAD_CID));
    bad.add(Map.entry(line("general", "hi", "z".repeat(100_000)), ChatRooms.BAD_CID));
    bad.add(Map.entry(line("general", "hi", "<img src=x>"), ChatRooms.BAD_CID));
    bad.add(Map.entry(line("general", "hi", ""), ChatRooms.BAD_CID));
    bad.add(Map.entry(line("general", "hi", 17), ChatRooms.BAD_CID));
    bad.add(Map.entry(line("general", "hi", null), ChatRooms.BAD_CID));

    for (Map.Entry<Object, String> entry : bad) {
      assertThat(mallory.ack("chat", entry.getKey())).as("chat(%.60s)", entry.getKey())
          .isEqualTo(error(entry.getValue()));
    }
    assertThat(mallory.ack("chat")).as("chat()").isEqualTo(error(ChatRooms.NOT_A_LINE));

    assertNothingElseReachedTheWatcher();
    assertThat(history()).hasSize(stored + 1);
  }

  @Test
  void aGoodLineIsStoredWithOnlyItsCheckedFieldsAndTheSendersOwnName() throws Exception {
    Map<String, Object> line = line("general", "  " + "é".repeat(ChatRooms.MAX_TEXT) + "  ", "4f8c-uuid-ish");
    line.put("from", "someone else");
    line.put("extra", "z".repeat(50_000));

    JsonNode id = mallory.ack("chat", line);

    assertThat(id.isString()).as("the ack is the stored id: %s", id).isTrue();
    JsonNode received = watcher.next("chat").arg();
    assertThat(received.propertyNames()).containsExactlyInAnyOrder("from", "text", "cid", "at");
    assertThat(received.path("from").asString()).isEqualTo("mallory");
    assertThat(received.path("text").asString()).isEqualTo("é".repeat(ChatRooms.MAX_TEXT));
    assertThat(received.path("cid").asString()).isEqualTo("4f8c-uuid-ish");
    Message stored = history().get(history().size() - 1);
    assertThat(stored.id()).isEqualTo(id.asString());
    assertThat(stored.payload()).isEqualTo(received);

    // A line without a cid is fine too (a client that does not correlate).
    Map<String, Object> plain = new LinkedHashMap<>(Map.of("room", "general", "text", "no cid"));
    assertThat(mallory.ack("chat", plain).isString()).isTrue();
    assertThat(watcher.next("chat").arg().path("cid").asString()).isEmpty();
  }

  @Test
  void typingForARoomTheChannelIsNotInIsDropped() throws Exception {
    for (Object room : new Object[] {"random", "nope", 42, null, "general".repeat(10_000)}) {
      mallory.emit("typing", room);
    }
    mallory.emit("typing");
    mallory.emit("typing", "general");

    Frame typing = watcher.next();
    assertThat(typing.event()).isEqualTo("typing");
    assertThat(typing.arg().toString()).isEqualTo("{\"from\":\"mallory\"}");
    assertNothingElseReachedTheWatcher();
  }

  @Test
  void aNicknameCookieMustBeAShortPlainName() throws Exception {
    JsonNode refusal = JSON.objectNode().put("message", "sign in first")
        .set("data", JSON.objectNode().put("status", 401));
    for (String cookie : List.of("", "nick=", "nick=" + "n".repeat(ChatRooms.MAX_NICKNAME + 1), "nick=%20alice",
        "nick=alice%20", "nick=%3Cb%3E", "nick=a%0Ab", "nick=" + "m".repeat(4_000), "nick=%E0%A4%A")) {
      assertThat(RawSocket.refused(chat.url(), cookie)).as(cookie).isEqualTo(refusal);
    }
    connect("n".repeat(ChatRooms.MAX_NICKNAME)).close();
    connect("Łucja Nowak-Kowalska").close();
  }
}
