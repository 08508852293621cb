package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.examples.chat.ChatPage.Line;
import dev.parley.testsupport.Timeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Two people in #general, alice's page on WebSocket and bob's on Server-Sent Events, driven through the
 * page itself. The app (one per class) keeps its history across the tests, so each test checks the lines
 * it adds after those already shown; together they post fewer than 50 lines to #general, the replay of a
 * page that (re)joins, so every page can be compared with every other. The first test's screenshot is
 * the README's.
 *
 * <p>Each test goes on with the two pages the previous one left, signed in and back in #general on their
 * transports (signing two pages in again took longer than most tests); the first test, and any test after
 * one that failed, signs in fresh pages.
 *
 * <p>Run once per store, by a subclass that registers the app ({@link RunningChat}) and the browsers as its
 * static extensions: {@link ChatPageE2ETest} (memory) and {@link ChatPageOnMongoE2ETest}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(Lifecycle.PER_CLASS)
abstract class ChatPageScenario {
  /** The typing test makes the pages clear an indicator after 1 s instead of 3 s; one more second for scheduling. */
  private static final Duration TYPING_CLEARS_AFTER = Duration.ofSeconds(1);
  private static final Duration TYPING_CLEARS = TYPING_CLEARS_AFTER.plusSeconds(1);

  private final RunningChat chat;
  private final Browsers browsers;
  private ChatPage alice;
  private ChatPage bob;
  /** How many lines both pages showed when this test began. */
  private int shown;

  /** The subclass's app and browsers, its static extensions. */
  ChatPageScenario(RunningChat chat, Browsers browsers) {
    this.chat = chat;
    this.browsers = browsers;
  }

  @BeforeEach
  void aliceOnWebSocketAndBobOnSse() {
    List<ChromeDriver> kept = browsers.resume(2);
    if (kept.isEmpty()) {
      alice = ChatPage.signIn(browsers.open(), chat.url(), "alice");
      bob = ChatPage.signIn(browsers.open(), chat.url(), "bob").useTransport("sse");
    } else {
      takeOver(alice, "websocket");
      takeOver(bob, "sse");
    }
    awaitSameLines(List.of());
    shown = alice.lines().size();
  }

  /** A page the previous test left: its text box emptied, in #general on its transport. */
  private static void takeOver(ChatPage page, String transport) {
    page.clearText();
    if (!page.room().equals("general")) {
      page.openRoom("general");
    }
    if (!page.status().equals("connected (" + transport + ")")) {
      page.useTransport(transport);
    }
  }

  @Test
  @Order(1)
  void linesTypedInEitherPageAppearInBothOnceInTheSameOrderWithTicks() {
    await("who is online").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL).untilAsserted(() -> {
      assertThat(alice.online()).containsExactly("alice", "bob");
      assertThat(bob.online()).containsExactly("alice", "bob");
    });
    // alice's page (the served Socket.IO client) opened with long-polling and upgraded: one WebSocket, and no
    // long-poll held any more; bob's page is on SSE.
    await("alice's page upgraded to WebSocket").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(chat.server().stats().transports())
            .containsEntry("websocket.sockets", 1).containsEntry("websocket.heldPolls", 0));

    List<String> fromAlice = List.of("Hi Bob! I'm on WebSocket.",
        "We both see every line once, in the same order.",
        "Same history after a reload, and nothing lost if I disconnect.");
    List<String> fromBob = List.of("Hi Alice, I'm on Server-Sent Events.",
        "And the tick says the server stored it.",
        "Let me try that.");
    awaitSameLines(conversation(alice, fromAlice.get(0), bob, fromBob.get(0), alice, fromAlice.get(1),
        bob, fromBob.get(1), alice, fromAlice.get(2), bob, fromBob.get(2)));
    assertTicks(alice, fromAlice);
    assertTicks(bob, fromBob);

    alice.type("Great, I'll post while you're away");
    await("alice is typing, in bob's page").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(bob.typing()).isEqualTo("alice is typing…"));
    assertThat(alice.typing()).as("the sender is not told that it types").isEmpty();
  }

  @Test
  @Order(2)
  void linesSentAtOnceFromBothPagesShowInTheServersOrderInBoth() {
    List<String> aliceBurst = List.of("Quick ones, to check the order: one", "two", "three");
    List<String> bobBurst = List.of("uno", "dos", "tres");
    for (int i = 0; i < 3; i++) {
      alice.send(aliceBurst.get(i));
      bob.send(bobBurst.get(i));
    }
    await("the burst in both pages").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL).untilAsserted(() -> {
      List<Line> inAlice = alice.lines();
      List<Line> inBob = bob.lines();
      assertThat(inAlice).extracting(Line::pending).doesNotContain(true);
      assertThat(inBob).extracting(Line::pending).doesNotContain(true);
      assertThat(texts(inBob)).isEqualTo(texts(inAlice));
      List<String> added = texts(inAlice).subList(shown, inAlice.size());
      assertThat(added).hasSize(6).containsAll(aliceBurst).containsAll(bobBurst).doesNotHaveDuplicates()
          .containsSubsequence(aliceBurst).containsSubsequence(bobBurst);
    });
    assertTicks(alice, aliceBurst);
    assertTicks(bob, bobBurst);
  }

  @Test
  @Order(3)
  void typingShowsInTheOtherPageAndClears() {
    for (ChatPage page : List.of(alice, bob)) {
      page.typingClearsAfter(TYPING_CLEARS_AFTER);
    }
    // An indicator an earlier test left has cleared, so the ones below are this test's.
    await("no one typing").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL).untilAsserted(() -> {
      assertThat(alice.typing()).isEmpty();
      assertThat(bob.typing()).isEmpty();
    });
    alice.type("I am thinking");
    await("alice is typing, in bob's page").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(bob.typing()).isEqualTo("alice is typing…"));
    assertThat(alice.typing()).isEmpty();
    await("bob's indicator clears").atMost(TYPING_CLEARS).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(bob.typing()).isEmpty());

    bob.type("Me too");
    await("bob is typing, in alice's page").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(alice.typing()).isEqualTo("bob is typing…"));
    assertThat(bob.typing()).isEmpty();
    await("alice's indicator clears").atMost(TYPING_CLEARS).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(alice.typing()).isEmpty());

    // A line from someone who is typing clears their indicator at once.
    bob.type(" — done thinking");
    await("bob is typing again").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(alice.typing()).isEqualTo("bob is typing…"));
    bob.pressEnter();
    await("bob's line arrived and his indicator cleared").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> {
          assertThat(alice.texts()).endsWith("Me too — done thinking");
          assertThat(alice.typing()).isEmpty();
        });
  }

  @Test
  @Order(4)
  void reloadingAPageShowsTheHistory() {
    awaitSameLines(conversation(alice, "Before the reload.", bob, "Me too."));
    List<String> history = alice.texts();

    for (ChatPage page : List.of(bob, alice)) {
      page.reload();
      await(page.nick() + "'s page connects again").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
          .untilAsserted(() -> assertThat(page.status()).startsWith("connected ("));
      String checked = (String) page.script(
          "return document.querySelector('input[name=transport]:checked').value");
      assertThat(page.status()).as("the transport the page uses is the one its radio shows")
          .isEqualTo("connected (" + checked + ")");
      await(page.nick() + "'s history after the reload").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
          .untilAsserted(() -> assertThat(page.texts()).isEqualTo(history));
      // The tick is the answer to this page's own send: none on the history, this user's lines among it.
      assertThat(page.lines()).filteredOn(l -> l.from().equals(page.nick())).isNotEmpty()
          .extracting(Line::tick).doesNotContain(true);
      assertThat(page.lines()).extracting(Line::tick).doesNotContain(true);
    }
    awaitSameLines(conversation(bob, "After the reload, live again."));
  }

  @Test
  @Order(5)
  void leavingThePageAndComingBackLosesNothing() {
    for (ChatPage away : List.of(bob, alice)) {
      ChatPage other = away == alice ? bob : alice;
      away.driver().get("about:blank");
      List<String> missed = List.of(away.nick() + " left the page: this line waits for the way back.");
      other.send(missed.get(0));
      await("the line in the sender's page").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
          .untilAsserted(() -> assertThat(other.lines()).last().extracting(Line::tick).isEqualTo(true));

      away.driver().navigate().back();
      await(away.nick() + "'s page connects again").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
          .untilAsserted(() -> assertThat(away.status()).startsWith("connected ("));
      awaitSameLines(missed);
    }
    awaitSameLines(conversation(alice, "Back and forth, nothing lost."));
  }

  @Test
  @Order(6)
  void switchingRoomsShowsEachRoomsOwnHistoryThenLiveLines() {
    chat.server().room("random").post("chat", Map.of("from", "parley", "text", "Welcome to #random.")).block(Timeouts.STEP);
    chat.server().room("help").post("chat", Map.of("from", "parley", "text", "Ask anything in #help.")).block(Timeouts.STEP);
    List<String> general = new ArrayList<>(alice.texts());

    for (ChatPage page : List.of(alice, bob)) {
      page.openRoom("random");
      await(page.nick() + "'s #random").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
          .untilAsserted(() -> assertThat(page.texts()).containsExactly("Welcome to #random."));
      if (page == alice) {
        // Presence comes as changes: bob's page drops alice when she leaves #general (a "left"), her
        // page lists #random's users (the list she gets on entering) ...
        await("alice gone from #general").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL).untilAsserted(() -> {
          assertThat(bob.online()).containsExactly("bob");
          assertThat(alice.online()).containsExactly("alice");
        });
      }
    }
    // ... and adds bob when he comes too (a "joined").
    await("both in #random").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL).untilAsserted(() -> {
      assertThat(alice.online()).containsExactly("alice", "bob");
      assertThat(bob.online()).containsExactly("alice", "bob");
    });
    awaitSameLines(conversation(alice, "Anyone in #random?", bob, "Yes, me."));

    // Two clicks, the second before the first room is even joined: only the last room's lines are shown,
    // not those of the room she left (#random) nor of the one she passed through (#general).
    alice.clickRoom("general");
    alice.clickRoom("help");
    alice.awaitStatus("connected (websocket)");
    bob.send("Still in #random.");
    String passedThrough = "Meanwhile in #general.";
    chat.server().room("general").post("chat", Map.of("from", "parley", "text", passedThrough)).block(Timeouts.STEP);
    await("bob's line stored").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(bob.lines()).last().extracting(Line::tick).isEqualTo(true));
    await("alice's #help").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL).untilAsserted(() -> {
      assertThat(alice.texts()).containsExactly("Ask anything in #help.");
      assertThat(alice.online()).containsExactly("alice");
    });
    general.add(passedThrough);

    for (ChatPage page : List.of(alice, bob)) {
      page.openRoom("general");
      await(page.nick() + "'s #general again").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
          .untilAsserted(() -> assertThat(page.texts()).isEqualTo(general));
    }
  }

  @Test
  @Order(7)
  void theWebSocketPageLosesNothingWhileDisconnected() {
    // A line with no client id (posted by the server): only the page's own lines carry one.
    chat.server().room("general").post("chat", Map.of("from", "parley", "text", "Server notice: all systems go."))
        .block(Timeouts.STEP);
    losesNothingWhileDisconnected(alice, "websocket", bob);
    assertThat(alice.texts()).containsOnlyOnce("Server notice: all systems go.");
  }

  @Test
  @Order(8)
  void theSsePageLosesNothingWhileDisconnected() {
    losesNothingWhileDisconnected(bob, "sse", alice);
  }

  private void losesNothingWhileDisconnected(ChatPage away, String transport, ChatPage other) {
    awaitSameLines(conversation(away, "Going offline for a moment, my " + transport + " page stops.",
        other, "OK, I'll keep writing, " + away.nick() + "."));
    away.toggleConnection();
    away.awaitStatus("disconnected");
    assertThat(away.connectionButton()).isEqualTo("Connect");

    List<String> missed = List.of("This is written while " + away.nick() + " is away,",
        "and this one too: " + away.nick() + " should get both after the reconnect.");
    for (String text : missed) {
      other.send(text);
    }
    await("the lines in the sender's page").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(other.lines()).filteredOn(l -> missed.contains(l.text()))
            .extracting(Line::tick).containsExactly(true, true));
    assertThat(away.texts()).as("a disconnected page receives nothing").doesNotContainAnyElementsOf(missed);

    away.toggleConnection();
    away.awaitStatus("connected (" + transport + ")");
    assertThat(away.connectionButton()).isEqualTo("Disconnect");
    awaitSameLines(List.of());
    assertThat(away.texts()).endsWith(missed.toArray(String[]::new));
    awaitSameLines(conversation(away, "Back on " + transport + ", and I got both."));
  }

  /** Sends each line from its page, one at a time, each once the previous one is in both pages. */
  private List<String> conversation(Object... pagesAndTexts) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < pagesAndTexts.length; i += 2) {
      ChatPage page = (ChatPage) pagesAndTexts[i];
      String text = (String) pagesAndTexts[i + 1];
      page.send(text);
      await("\"" + text + "\" in both pages").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
          .untilAsserted(() -> {
            assertThat(alice.texts()).endsWith(text);
            assertThat(bob.texts()).endsWith(text);
          });
      texts.add(text);
    }
    return texts;
  }

  /**
   * Waits until both pages show the same lines, none pending, ending with {@code last} (each exactly once
   * in either page).
   */
  private void awaitSameLines(List<String> last) {
    await("the same lines in both pages").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL).untilAsserted(() -> {
      List<Line> inAlice = alice.lines();
      List<Line> inBob = bob.lines();
      assertThat(inAlice).extracting(Line::pending).doesNotContain(true);
      assertThat(inBob).extracting(Line::pending).doesNotContain(true);
      assertThat(texts(inBob)).isEqualTo(texts(inAlice));
      assertThat(texts(inAlice)).endsWith(last.toArray(String[]::new));
      for (String text : last) {
        assertThat(texts(inAlice)).containsOnlyOnce(text);
      }
    });
  }

  /**
   * Of the lines this test added, those this page sent carry the delivery tick and no other does (that
   * the lines of this user's earlier page, replayed, carry none either: reloadingAPageShowsTheHistory).
   */
  private void assertTicks(ChatPage page, List<String> sent) {
    await(page.nick() + "'s ticks").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL).untilAsserted(() -> {
      List<Line> all = page.lines();
      List<Line> lines = all.subList(Math.min(shown, all.size()), all.size());
      assertThat(lines).filteredOn(l -> sent.contains(l.text())).hasSameSizeAs(sent)
          .allSatisfy(l -> assertThat(l.from()).isEqualTo(page.nick()))
          .extracting(Line::tick).containsOnly(true);
      assertThat(lines).filteredOn(l -> !sent.contains(l.text())).extracting(Line::tick).doesNotContain(true);
    });
  }

  private static List<String> texts(List<Line> lines) {
    return lines.stream().map(Line::text).toList();
  }
}
