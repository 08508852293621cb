package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.examples.readme.Readme;
import dev.parley.testsupport.TestMongo;
import dev.parley.testsupport.Timeouts;
import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import reactor.core.publisher.Mono;

/**
 * The README's tutorial app and page in Chromium: log in, room 42's history and live documents over a plain
 * {@code EventSource} (inserted by the driver and by the app's {@code POST /message}), and the Socket.IO chat
 * with its {@code done} callback.
 */
class TutorialAppE2ETest {
  @RegisterExtension
  static final Browsers browsers = new Browsers();

  @Test
  void bothPatternsInTheReadmesPage(@TempDir Path dir) throws Exception {
    Path source = Files.writeString(dir.resolve("TutorialApp.java"), Readme.marked("tutorial-server"));
    Path out = Files.createDirectories(dir.resolve("classes"));
    assertThat(Readme.compile(List.of(source), out)).isEmpty();
    try (TestMongo mongo = TestMongo.start(); URLClassLoader loader = Readme.loader(out)) {
      Method start = loader.loadClass("TutorialApp").getMethod("start", String.class, int.class);
      ChatServer server = (ChatServer) start.invoke(null, mongo.connectionString(), 0);
      try {
        var messages = mongo.client().getDatabase("chat").getCollection("message");
        Mono.from(messages.insertOne(new Document("parent", "42").append("text", "stored").append("user", "bot")))
            .block(Timeouts.STEP);
        String url = "http://127.0.0.1:" + server.address().orElseThrow().getPort() + "/";

        ChromeDriver alice = logIn(url, "alice");
        awaitLines(alice, "#room", "bot: stored");

        Mono.from(messages.insertOne(new Document("parent", "42").append("text", "inserted").append("user", "mongosh")))
            .block(Timeouts.STEP);
        awaitLines(alice, "#room", "bot: stored", "mongosh: inserted");

        alice.findElement(By.id("text")).sendKeys("posted");
        alice.findElement(By.id("post")).click();
        awaitLines(alice, "#room", "bot: stored", "mongosh: inserted", "alice: posted");

        ChromeDriver bob = logIn(url, "bob");
        awaitLines(bob, "#room", "bot: stored", "mongosh: inserted", "alice: posted");
        alice.findElement(By.id("message")).sendKeys("hello");
        alice.findElement(By.id("send")).click();
        awaitLines(alice, "#chat", "hello", "done: hello");
        awaitLines(bob, "#chat", "hello");
        ChatPage.showNote(alice, "the README's tutorial app: SSE fed by the collection, and Socket.IO", List.of());
      } finally {
        server.close();
        if (mongo.isReal()) {
          Mono.from(mongo.client().getDatabase("chat").drop()).block(Timeouts.STEP);
        }
      }
    }
  }

  private static ChromeDriver logIn(String url, String user) {
    ChromeDriver page = browsers.open();
    page.get(url);
    page.findElement(By.id("user")).sendKeys(user);
    page.findElement(By.id("login")).submit();
    await(user + "'s socket connected").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .until(() -> Boolean.TRUE.equals(page.executeScript("return typeof socket !== 'undefined' && socket.connected")));
    return page;
  }

  @SuppressWarnings("unchecked")
  private static void awaitLines(ChromeDriver page, String list, String... lines) {
    await("the lines of " + list).atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .untilAsserted(() -> assertThat((List<String>) page.executeScript(
            "return [...document.querySelectorAll(arguments[0] + ' li')].map(li => li.textContent)", list))
            .containsExactlyInAnyOrder(lines));
  }
}
