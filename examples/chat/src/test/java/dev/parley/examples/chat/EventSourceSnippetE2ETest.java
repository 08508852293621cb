package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.testsupport.Timeouts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The classic front-end snippet, run unchanged in the page: a plain {@code EventSource} with
 * {@code addEventListener('chat', e => JSON.parse(e.data))}. The page's own client is not started (the
 * cookie is set by script, as the sign-in form does), so the snippet is the only client.
 */
class EventSourceSnippetE2ETest {
  private static final String SNIPPET = """
      const source = new EventSource('/sse/general');
      source.addEventListener('chat', e => received.push(JSON.parse(e.data)));
      """;

  @RegisterExtension
  static final RunningChat chat = RunningChat.memory();

  @RegisterExtension
  static final Browsers browsers = new Browsers();

  @Test
  void aPlainEventSourceReceivesTheHistoryThenLiveMessages() {
    List<String> history = List.of("First line, from before anyone connected.", "Second line.", "Third line.");
    for (String text : history) {
      chat.server().room("general").post("chat", Map.of("from", "parley", "text", text)).block(Timeouts.STEP);
    }
    ChromeDriver driver = browsers.open();
    driver.get(chat.url().toString());
    JavascriptExecutor page = driver;
    page.executeScript("document.cookie = 'nick=dave; path=/'; window.received = []; window.ids = [];");

    page.executeScript("window.source = (() => {" + SNIPPET
        + "source.addEventListener('chat', e => ids.push(e.lastEventId)); return source; })()");
    await("the history").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(texts(page)).isEqualTo(history));

    List<String> live = List.of("A live line, posted after the stream opened.", "And another.");
    for (String text : live) {
      chat.server().room("general").post("chat", Map.of("from", "parley", "text", text)).block(Timeouts.STEP);
    }
    List<String> all = new ArrayList<>(history);
    all.addAll(live);
    await("the live lines").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat(texts(page)).isEqualTo(all));

    @SuppressWarnings("unchecked")
    List<String> ids = (List<String>) page.executeScript("return window.ids");
    assertThat(ids).as("each message's id, for Last-Event-ID").hasSize(5).doesNotContain("")
        .doesNotHaveDuplicates().isSortedAccordingTo(Comparator.naturalOrder());
    page.executeScript("window.source.close()");

    List<String> note = new ArrayList<>(List.of(SNIPPET.strip().split("\n")));
    note.add("");
    texts(page).forEach(text -> note.add("received: " + text));
    ChatPage.showNote(driver, "a plain EventSource in the page", note);
  }

  @SuppressWarnings("unchecked")
  private static List<String> texts(JavascriptExecutor page) {
    return (List<String>) page.executeScript("return window.received.map(m => m.text)");
  }
}
