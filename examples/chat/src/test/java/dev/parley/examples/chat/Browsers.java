package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.fail;

import dev.parley.testsupport.Timeouts;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Chromium sessions for the tests of one class (register as a static extension), from Debian's
 * {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}: both paths are given to Selenium, so
 * Selenium Manager never runs and nothing is downloaded. Each session has its own fresh profile.
 *
 * <p>{@link #open()} hands a test a clean browser: one blank tab and no cookies, so it is signed out
 * and connected to nothing. Sessions are reused by the next test, of this class or of the next one (the
 * test JVM keeps one pool, whose sessions quit when the whole run ends), because starting Chromium costs
 * more than the rest of a test; a test that fails gets new ones after it, its own being quit. A class
 * whose tests go on from one another can take back, as they were left, the pages the previous test used
 * ({@link #resume(int)}). After each test one screenshot of the sessions it used, side by side, is saved as
 * {@code target/e2e-screenshots/<TestClass>-<test>.png}, and the pages' consoles are printed if it failed.
 */
final class Browsers implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "e2e-screenshots");
  private static final int WIDTH = 900;
  private static final int HEIGHT = 800;
  private static final int GAP = 12;
  private static final Namespace NAMESPACE = Namespace.create(Browsers.class);
  // Selenium warns that it has no DevTools classes for this Chromium version; the tests use none.
  private static final Logger CDP_VERSION_FINDER = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  static {
    CDP_VERSION_FINDER.setLevel(Level.OFF);
  }

  private final List<Session> inUse = new ArrayList<>();
  // The sessions the last test of this class used, in the order it opened them, if it passed.
  private final List<Session> lastUsed = new ArrayList<>();
  private @Nullable Pool pool;

  private record Session(ChromeDriver driver, Path profile) {
  }

  /**
   * The idle sessions of the whole test run, kept in the root context's store, so that JUnit closes it,
   * quitting them, once every test class has run.
   */
  private static final class Pool implements AutoCloseable {
    final List<Session> idle = new ArrayList<>();

    @Override
    public void close() {
      idle.forEach(Browsers::quit);
      idle.clear();
    }
  }

  /**
   * The sessions the previous test of this class used, in the order it opened them, their pages as that
   * test left them, if it passed and used {@code count} of them; none otherwise (after a failure they were
   * quit), and the test opens fresh ones with {@link #open()}.
   */
  List<ChromeDriver> resume(int count) {
    List<Session> idle = pool().idle;
    if (lastUsed.size() != count || !idle.containsAll(lastUsed) || !inUse.isEmpty()) {
      return List.of();
    }
    idle.removeAll(lastUsed);
    inUse.addAll(lastUsed);
    return lastUsed.stream().map(Session::driver).toList();
  }

  /** A browser for this test: one blank tab, no cookies, its console emptied. */
  ChromeDriver open() {
    List<Session> idle = pool().idle;
    lastUsed.clear();
    if (!idle.isEmpty()) {
      Session session = idle.remove(0);
      ChromeDriver driver = session.driver();
      // A new tab, the old one closed: ends the previous test's page and its connections (leaving it by
      // navigation could keep it, streams open, in the back/forward cache).
      String previous = driver.getWindowHandle();
      String fresh = driver.switchTo().newWindow(WindowType.TAB).getWindowHandle();
      driver.switchTo().window(previous).close();
      driver.switchTo().window(fresh);
      driver.executeCdpCommand("Network.clearBrowserCookies", Map.of());
      driver.manage().logs().get(LogType.BROWSER);
      inUse.add(session);
      return driver;
    }
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail("The browser tests need Debian's Chromium at %s and its driver at %s: "
          + "apt-get install -y chromium chromium-driver", CHROMIUM, CHROMEDRIVER);
    }
    Path profile;
    try {
      profile = Files.createTempDirectory("parley-e2e-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions()
        .setBinary(CHROMIUM.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions",
            "--user-data-dir=" + profile, "--window-size=" + WIDTH + "," + HEIGHT,
            "--force-device-scale-factor=1", "--lang=en-US");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Timeouts.STEP);
    driver.manage().timeouts().pageLoadTimeout(Timeouts.STEP);
    inUse.add(new Session(driver, profile));
    return driver;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    pool = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Pool.class);
  }

  private Pool pool() {
    if (pool == null) {
      throw new IllegalStateException("Browsers is registered as a static extension: @RegisterExtension static");
    }
    return pool;
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    boolean failed = context.getExecutionException().isPresent();
    lastUsed.clear();
    try {
      if (!inUse.isEmpty()) {
        screenshot(SCREENSHOTS.resolve(
            context.getRequiredTestClass().getSimpleName() + "-" + context.getRequiredTestMethod().getName() + ".png"));
      }
      if (failed) {
        printConsoles();
      }
    } finally {
      if (failed) {
        inUse.forEach(Browsers::quit);
      } else {
        pool().idle.addAll(inUse);
        lastUsed.addAll(inUse);
      }
      inUse.clear();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    // Sessions still in use here had a failure outside a test (say, in @AfterEach): not worth keeping.
    inUse.forEach(Browsers::quit);
    inUse.clear();
    lastUsed.clear();
  }

  private static void quit(Session session) {
    try {
      session.driver().quit();
    } finally {
      delete(session.profile());
    }
  }

  /** Saves what every open session shows, left to right in the order they were opened. */
  private void screenshot(Path file) throws IOException {
    List<BufferedImage> shots = new ArrayList<>();
    for (Session session : inUse) {
      byte[] png = session.driver().getScreenshotAs(OutputType.BYTES);
      shots.add(ImageIO.read(new ByteArrayInputStream(png)));
    }
    int width = shots.stream().mapToInt(BufferedImage::getWidth).sum() + GAP * (shots.size() + 1);
    int height = shots.stream().mapToInt(BufferedImage::getHeight).max().orElse(0) + 2 * GAP;
    BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    g.setColor(new Color(0xC9, 0xCF, 0xDA));
    g.fillRect(0, 0, width, height);
    int x = GAP;
    for (BufferedImage shot : shots) {
      g.drawImage(shot, x, GAP, null);
      x += shot.getWidth() + GAP;
    }
    g.dispose();
    Files.createDirectories(file.getParent());
    ImageIO.write(sheet, "png", file.toFile());
  }

  private void printConsoles() {
    for (int i = 0; i < inUse.size(); i++) {
      ChromeDriver driver = inUse.get(i).driver();
      try {
        System.err.printf("--- browser %d: %s, console:%n", i + 1, driver.getCurrentUrl());
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
          System.err.println(entry);
        }
      } catch (RuntimeException e) {
        System.err.println("(console not available: " + e.getMessage() + ")");
      }
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException | UncheckedIOException e) {
      // A leftover temporary profile is harmless.
    }
  }
}
