package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.parley.testsupport.Timeouts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The official socket.io-client 4.8 from npm (src/test/node, installed by {@code npm ci} there), given to
 * the page by the test, chatting with someone on the app's own page: {@code io(url, {transports:
 * ['websocket']})}, {@code emit(name, data, ack)}, {@code on(name, fn)} and room broadcasts.
 */
class SocketIoClientE2ETest {
  private static final Path CLIENT = Path.of("src", "test", "node", "node_modules", "socket.io-client", "dist",
      "socket.io.min.js");
  private static final String SNIPPET = """
      const socket = io(location.origin, { transports: ['websocket'] });
      socket.on('chat', (message) => got.push(message));
      """;

  @RegisterExtension
  static final RunningChat chat = RunningChat.memory();

  @RegisterExtension
  static final Browsers browsers = new Browsers();

  @Test
  void socketIoClientFromNpmChatsWithThePage() throws IOException {
    String client = socketIoClient();
    chat.server().room("general").post("chat", Map.of("from", "parley", "text", "Welcome to #general.")).block(Timeouts.STEP);
    ChatPage alice = ChatPage.signIn(browsers.open(), chat.url(), "alice");
    ChromeDriver driver = browsers.open();
    driver.get(chat.url().toString());
    JavascriptExecutor bob = driver;
    // The page has loaded the served client's io: removed, so that the io used below is npm's.
    bob.executeScript("delete window.io");
    bob.executeScript(client);
    assertThat(bob.executeScript("return typeof io")).isEqualTo("function");

    // No cookie yet: the app's middleware refuses the connection, and socket.io-client says why.
    assertThat(bob.executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        const socket = io(location.origin, { transports: ['websocket'], reconnection: false });
        socket.on('connect_error', (error) => { socket.close(); done(error.message); });
        socket.on('connect', () => { socket.close(); done('connected'); });
        """)).isEqualTo("sign in first");

    bob.executeScript("document.cookie = 'nick=bob; path=/'; window.got = [];");
    bob.executeScript("window.socket = (() => {" + SNIPPET + "return socket; })()");
    assertThat(bob.executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        socket.emit('join', 'general', (answer) => done(answer));
        """)).as("join's ack").isEqualTo("ok");
    assertThat(texts(bob)).as("the room's history, replayed before the ack").containsExactly("Welcome to #general.");
    await("bob online in alice's page").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(alice.online()).containsExactly("alice", "bob"));

    alice.send("Hi! I'm on the chat page.");
    await("alice's line, a room broadcast").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(texts(bob)).endsWith("Hi! I'm on the chat page."));

    bob.executeScript("socket.emit('typing', 'general')");
    await("bob is typing, in alice's page").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(alice.typing()).isEqualTo("bob is typing…"));

    Object id = bob.executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        socket.emit('chat', { room: 'general', text: "Hello from socket.io-client!", cid: 'sio-1' }, (id) => done(id));
        """);
    assertThat(id).as("chat's ack: the stored message's id").isInstanceOf(String.class).asString().isNotBlank();
    await("bob's line in both").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL).untilAsserted(() -> {
      assertThat(alice.lines()).last().isEqualTo(new ChatPage.Line("bob", "Hello from socket.io-client!", false, false));
      assertThat(texts(bob)).endsWith("Hello from socket.io-client!");
      assertThat(alice.typing()).isEmpty();
    });
    assertThat(texts(bob)).containsExactly("Welcome to #general.", "Hi! I'm on the chat page.",
        "Hello from socket.io-client!");

    List<String> note = new ArrayList<>(List.of(SNIPPET.strip().split("\n")));
    note.add("socket.emit('join', 'general', ack)      → ok");
    note.add("socket.emit('chat', {room, text, cid}, ack) → " + id);
    note.add("");
    texts(bob).forEach(text -> note.add("received: " + text));
    ChatPage.showNote(driver, "socket.io-client 4.8.1 from npm, in the page", note);
  }

  private static String socketIoClient() throws IOException {
    if (!Files.isRegularFile(CLIENT)) {
      fail("socket.io-client is not installed: run `npm ci` in examples/chat/src/test/node (missing %s)",
          CLIENT.toAbsolutePath());
    }
    return Files.readString(CLIENT);
  }

  @SuppressWarnings("unchecked")
  private static List<String> texts(JavascriptExecutor page) {
    return (List<String>) page.executeScript("return window.got.map(m => m.text)");
  }
}
