package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.testsupport.Timeouts;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The seed tutorial's front-end, unchanged ({@code <script src="/socket.io/socket.io.js">}, {@code io()},
 * {@code emit} with a callback, {@code on}), in two headless Chromium pages against its back-end written with
 * Parley ({@link TutorialServer}): the served client opens with HTTP long-polling and upgrades to WebSocket as
 * socket.io-client does, and with upgrades refused by the server the same page chats over polling.
 */
class TutorialPageE2ETest {
  // Where the page's one socket is, on the page's own global: the transport under it, and whether it is
  // connected.
  private static final String STATE = """
      return { connected: socket.connected, transport: socket.io.engine.transport.name,
        upgrades: socket.io.engine.upgrades };
      """;
  // The Engine.IO handshake is the first polling request, the one without a sid; requests by
  // XMLHttpRequest or fetch are in the page's resource timing, a WebSocket is not.
  private static final String HANDSHAKES = """
      return performance.getEntriesByType('resource').map(entry => entry.name)
        .filter(url => url.includes('/socket.io/?') && url.includes('transport=polling') && !url.includes('sid='));
      """;

  @RegisterExtension
  static final Browsers browsers = new Browsers();

  @Test
  void thePageOpensOnPollingUpgradesToWebSocketAndChats() {
    try (TutorialServer tutorial = TutorialServer.start(WebSocketTransportConfig.defaults())) {
      ChromeDriver alice = open(tutorial, "websocket");
      ChromeDriver bob = open(tutorial, "websocket");
      // The server agrees: two WebSockets, and no long-poll held any more (a session opened by polling
      // is counted under "websocket.polling" until it closes, upgraded or not).
      await("both sessions upgraded, on the server").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
          .untilAsserted(() -> assertThat(tutorial.server().stats().transports())
              .containsEntry("websocket.sockets", 2).containsEntry("websocket.heldPolls", 0));

      chat(alice, bob);

      // io.to(room).emit: only the room's members get it, the sender among them if it joined.
      assertThat(((JavascriptExecutor) alice).executeAsyncScript("""
          const done = arguments[arguments.length - 1];
          socket.emit('joinRoom', 'room-1', () => done('joined'));
          """)).isEqualTo("joined");
      ((JavascriptExecutor) bob).executeScript("socket.emit('room-message', 'room-1', 'For room-1 only.')");
      send(bob, "After the room message, to everyone.");
      awaitReceived(alice, "For room-1 only.", "After the room message, to everyone.");
      awaitReceived(bob, "After the room message, to everyone.");
      assertThat(received(bob)).as("bob is not in room-1; its events to bob would have come first")
          .doesNotContain("For room-1 only.");
      note(alice, "websocket");
      note(bob, "websocket");
    }
  }

  @Test
  void withUpgradesRefusedTheSamePageChatsOverPolling() {
    WebSocketTransportConfig noUpgrades = WebSocketTransportConfig.builder().allowUpgrades(false).build();
    try (TutorialServer tutorial = TutorialServer.start(noUpgrades)) {
      ChromeDriver alice = open(tutorial, "polling");
      ChromeDriver bob = open(tutorial, "polling");

      chat(alice, bob);

      for (ChromeDriver page : List.of(alice, bob)) {
        assertThat(state(page)).as("after chatting, still").containsEntry("transport", "polling")
            .containsEntry("upgrades", List.of());
      }
      assertThat(tutorial.server().stats().transports())
          .containsEntry("websocket.polling", 2).containsEntry("websocket.sockets", 0);
      note(alice, "polling");
      note(bob, "polling");
    }
  }

  /** A page on the tutorial's server, connected, its socket on {@code transport}, its session opened by polling. */
  private static ChromeDriver open(TutorialServer tutorial, String transport) {
    ChromeDriver driver = browsers.open();
    driver.get(tutorial.url().toString());
    await("the page's socket connected over " + transport).atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(state(driver)).containsEntry("connected", true)
            .containsEntry("transport", transport));
    assertThat(driver.executeScript(HANDSHAKES)).as("the session's handshake, a polling GET").asList().hasSize(1);
    return driver;
  }

  /**
   * Each page sends a line with the page's input and button: its callback runs (the server's ack), and
   * both pages get it as 'server-message' (io.emit reaches the sender too).
   */
  private static void chat(ChromeDriver alice, ChromeDriver bob) {
    send(alice, "Hello from alice.");
    awaitReceived(alice, "Hello from alice.", "done: Hello from alice.");
    awaitReceived(bob, "Hello from alice.");
    send(bob, "Hi alice, bob here.");
    awaitReceived(bob, "Hi alice, bob here.", "done: Hi alice, bob here.");
    awaitReceived(alice, "Hi alice, bob here.");
    assertThat(received(bob)).as("an ack runs the sender's callback only").doesNotContain("done: Hello from alice.");
  }

  private static void send(ChromeDriver page, String text) {
    page.findElement(By.id("message")).sendKeys(text);
    page.findElement(By.id("send")).click();
  }

  private static void awaitReceived(ChromeDriver page, String... lines) {
    await("the lines in the page").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(received(page)).contains(lines));
  }

  @SuppressWarnings("unchecked")
  private static List<String> received(ChromeDriver page) {
    return (List<String>) page.executeScript(
        "return [...document.querySelectorAll('#received li')].map(li => li.textContent)");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> state(ChromeDriver page) {
    return (Map<String, Object>) page.executeScript(STATE);
  }

  private static void note(ChromeDriver page, String transport) {
    ChatPage.showNote(page, "the tutorial's page, served client: " + transport,
        List.of("socket.io.engine.transport.name = " + state(page).get("transport"),
            "handshake: " + ((List<?>) page.executeScript(HANDSHAKES)).get(0)));
  }
}
