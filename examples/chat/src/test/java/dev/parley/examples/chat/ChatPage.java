package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.testsupport.Timeouts;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chromium.HasCdp;

/** The chat page in one browser, driven the way a person would: by its form, buttons and text box. */
final class ChatPage {
  private final WebDriver driver;
  private final String nick;

  /** One line of {@code #messages}. */
  record Line(String from, String text, boolean pending, boolean tick) {
  }

  private ChatPage(WebDriver driver, String nick) {
    this.driver = driver;
    this.nick = nick;
  }

  /** The page's address on a started app. */
  static URI url(ChatServer server) {
    return URI.create("http://127.0.0.1:" + server.address().orElseThrow().getPort() + "/");
  }

  /**
   * Shows a note over the page, bottom right, for the screenshot: what a test ran in the page and what
   * it got.
   */
  static void showNote(WebDriver driver, String title, List<String> lines) {
    ((JavascriptExecutor) driver).executeScript("""
        const note = document.createElement('aside');
        note.style.cssText = 'position:fixed;right:12px;bottom:12px;max-width:560px;padding:10px 14px;'
          + 'background:#1d2433;color:#e8ecf3;border-radius:8px;font:13px/1.45 monospace;'
          + 'box-shadow:0 2px 10px #0006;white-space:pre-wrap;z-index:10';
        const heading = document.createElement('div');
        heading.style.cssText = 'font-weight:bold;margin-bottom:6px;color:#9cc2ff';
        heading.textContent = arguments[0];
        note.append(heading, arguments[1].join('\\n'));
        document.body.append(note);
        """, title, lines);
  }

  /** Opens the page, signs in as {@code nick} with the form, and waits until it is connected over WebSocket. */
  static ChatPage signIn(WebDriver driver, URI app, String nick) {
    driver.get(app.toString());
    driver.findElement(By.id("nick")).sendKeys(nick);
    driver.findElement(By.id("signin-button")).click();
    ChatPage page = new ChatPage(driver, nick);
    page.awaitStatus("connected (websocket)");
    return page;
  }

  String nick() {
    return nick;
  }

  WebDriver driver() {
    return driver;
  }

  /** Clicks a transport radio ({@code websocket} or {@code sse}) and waits until the page is connected by it. */
  ChatPage useTransport(String transport) {
    driver.findElement(By.cssSelector("input[name=transport][value=" + transport + "]")).click();
    awaitStatus("connected (" + transport + ")");
    return this;
  }

  /** Clicks a room in the list, without waiting. */
  void clickRoom(String room) {
    driver.findElement(By.cssSelector("#rooms li[data-room=" + room + "]")).click();
  }

  /** Clicks a room in the list and waits until the page is connected to it. */
  ChatPage openRoom(String room) {
    String transport = status().replaceFirst("^connected \\((.*)\\)$", "$1");
    clickRoom(room);
    await(nick + " in #" + room).atMost(Timeouts.STEP).pollInterval(Timeouts.POLL).untilAsserted(() -> {
      assertThat(driver.findElement(By.id("room-title")).getText()).isEqualTo("#" + room);
      assertThat(status()).isEqualTo("connected (" + transport + ")");
    });
    return this;
  }

  /** The room the page shows, from its title: {@code general} for {@code #general}. */
  String room() {
    return driver.findElement(By.id("room-title")).getText().replaceFirst("^#", "");
  }

  /**
   * Empties the text box as a script does, without an input event, so that no "typing" is announced: for a
   * test that takes over a page where an earlier one left text.
   */
  void clearText() {
    script("document.getElementById('text').value = ''");
  }

  /**
   * Makes the page's typing indicators clear this long after the last typing event instead of the page's
   * 3 s, through the indicator's {@code data-clears-after-ms}, for a test that waits for them to clear.
   */
  void typingClearsAfter(Duration after) {
    script("document.getElementById('typing').dataset.clearsAfterMs = arguments[0]", after.toMillis());
  }

  /**
   * Types into the text box, after what is there, without sending. The text comes in one piece, as an
   * input method or a paste enters it (Chromium's {@code Input.insertText}: one {@code input} event), not
   * key by key: the driver's key events took about 5 ms a character, seconds per test.
   */
  void type(String text) {
    script("const box = document.getElementById('text'); box.focus();"
        + " box.setSelectionRange(box.value.length, box.value.length)");
    ((HasCdp) driver).executeCdpCommand("Input.insertText", Map.of("text", text));
  }

  /** Types a line and presses Enter. */
  void send(String text) {
    type(text);
    pressEnter();
  }

  /** Presses Enter in the text box, sending what is typed there. */
  void pressEnter() {
    driver.findElement(By.id("text")).sendKeys(Keys.ENTER);
  }

  /** Types a line and clicks Send. */
  void sendWithButton(String text) {
    type(text);
    driver.findElement(By.id("send")).click();
  }

  /** Clicks the Disconnect/Connect button. */
  void toggleConnection() {
    driver.findElement(By.id("connection")).click();
  }

  void reload() {
    driver.navigate().refresh();
  }

  String status() {
    return driver.findElement(By.id("status")).getText();
  }

  String connectionButton() {
    return driver.findElement(By.id("connection")).getText();
  }

  String typing() {
    return (String) script("return document.getElementById('typing').textContent");
  }

  @SuppressWarnings("unchecked")
  List<String> online() {
    return (List<String>) script("return [...document.querySelectorAll('#online li')].map(li => li.textContent)");
  }

  /** The texts of {@code #messages}, top to bottom. */
  @SuppressWarnings("unchecked")
  List<String> texts() {
    return (List<String>) script(
        "return [...document.querySelectorAll('#messages li.message .text')].map(s => s.textContent)");
  }

  /** The lines of {@code #messages}, top to bottom, read in one script so they are one consistent snapshot. */
  @SuppressWarnings("unchecked")
  List<Line> lines() {
    List<Map<String, Object>> rows = (List<Map<String, Object>>) script("""
        return [...document.querySelectorAll('#messages li.message')].map(li => ({
          from: li.querySelector('.from').textContent,
          text: li.querySelector('.text').textContent,
          pending: li.classList.contains('pending'),
          tick: li.querySelector('.tick') !== null && li.querySelector('.tick').textContent === '\\u2713',
        }))""");
    return rows.stream()
        .map(r -> new Line((String) r.get("from"), (String) r.get("text"), (Boolean) r.get("pending"),
            (Boolean) r.get("tick")))
        .toList();
  }

  void awaitStatus(String expected) {
    await("status of " + nick + "'s page").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(status()).isEqualTo(expected));
  }

  Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  Object asyncScript(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
  }
}
