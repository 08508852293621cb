package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;

/** No nickname cookie, no connection: the app's middleware refuses both transports. */
class SignInRequiredE2ETest {
  private static final String EVENT_SOURCE = """
      const done = arguments[arguments.length - 1];
      const source = new EventSource('/sse/general');
      source.addEventListener('parley:session', () => { source.close(); done({ opened: true }); });
      source.onerror = () => { const readyState = source.readyState; source.close(); done({ opened: false, readyState }); };
      """;
  // The served client (/socket.io/socket.io.js), which the page loads: polling first, then the upgrade.
  private static final String SOCKET_IO = """
      const done = arguments[arguments.length - 1];
      const socket = io({ reconnection: false });
      socket.on('connect', () => { socket.disconnect(); done({ connected: true }); });
      socket.on('connect_error', (error) => {
        socket.disconnect();
        done({ connected: false, message: error.message, data: error.data });
      });
      """;

  @RegisterExtension
  static final RunningChat chat = RunningChat.memory();

  @RegisterExtension
  static final Browsers browsers = new Browsers();

  @Test
  void withoutTheCookieTheEventStreamIsRefused() {
    WebDriver driver = signedOutPage();

    assertThat(run(driver, EVENT_SOURCE)).as("EventSource('/sse/general')")
        .containsEntry("opened", false)
        .containsEntry("readyState", 2L);           // CLOSED: the browser does not retry after a 401
    Map<String, Object> answer = run(driver, """
        const done = arguments[arguments.length - 1];
        fetch('/sse/general', { headers: { Accept: 'text/event-stream' } })
          .then(async (response) => done({ status: response.status, body: await response.json() }),
                (error) => done({ error: String(error) }));
        """);
    assertThat(answer).containsEntry("status", 401L);
    assertThat(answer.get("body")).asInstanceOf(MAP)
        .containsEntry("error", "sign in first");
    ChatPage.showNote(driver, "no cookie: EventSource and fetch of /sse/general",
        List.of("EventSource: error, readyState CLOSED", "fetch: " + answer));
  }

  @Test
  void withoutTheCookieTheWebSocketIsRefused() {
    WebDriver driver = signedOutPage();

    Map<String, Object> refused = run(driver, SOCKET_IO);
    assertThat(refused).containsEntry("connected", false).containsEntry("message", "sign in first");
    assertThat(refused.get("data")).asInstanceOf(MAP)
        .containsEntry("status", 401L);

    // A cookie that is not a nickname is no better.
    ((JavascriptExecutor) driver).executeScript("document.cookie = 'nick=' + encodeURIComponent('<b>') + '; path=/'");
    assertThat(run(driver, SOCKET_IO)).containsEntry("message", "sign in first");
    ChatPage.showNote(driver, "no cookie: io()", List.of("connect_error: " + refused));
  }

  @Test
  void signingInWithTheFormSetsTheCookieAndConnects() {
    ChromeDriver driver = browsers.open();
    ChatPage page = ChatPage.signIn(driver, chat.url(), "carol");

    assertThat(driver.manage().getCookieNamed("nick").getValue()).isEqualTo("carol");
    assertThat(page.status()).isEqualTo("connected (websocket)");
    assertThat(run(driver, EVENT_SOURCE)).containsEntry("opened", true);
    assertThat(run(driver, SOCKET_IO)).containsEntry("connected", true);
  }

  @Test
  void aPageWhoseCookieIsNoLongerValidShowsTheRefusalOnConnect() {
    ChromeDriver driver = browsers.open();
    ChatPage page = ChatPage.signIn(driver, chat.url(), "erin");
    page.toggleConnection();
    page.awaitStatus("disconnected");

    // The cookie changed behind the page's back (another tab, or by hand): the middleware's refusal shows.
    driver.executeScript("document.cookie = 'nick=' + encodeURIComponent('<b>') + '; path=/'");
    page.toggleConnection();
    page.awaitStatus("disconnected: sign in first");
    assertThat(page.connectionButton()).isEqualTo("Connect");

    driver.executeScript("document.cookie = 'nick=erin; path=/'");
    page.toggleConnection();
    page.awaitStatus("connected (websocket)");
  }

  /** The page as a newcomer first sees it: the sign-in form, no chat, no cookie. */
  private static WebDriver signedOutPage() {
    ChromeDriver driver = browsers.open();
    driver.get(chat.url().toString());
    assertThat(driver.findElement(By.id("signin-form")).isDisplayed()).isTrue();
    assertThat(driver.findElement(By.id("chat")).isDisplayed()).isFalse();
    assertThat(driver.manage().getCookies()).isEmpty();
    return driver;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> run(WebDriver driver, String script) {
    return (Map<String, Object>) ((JavascriptExecutor) driver).executeAsyncScript(script);
  }
}
