package dev.parley.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.client.ParleyClient;
import dev.parley.testsupport.Timeouts;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.websocket.server.ServerContainer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.tomcat.websocket.server.WsSci;
import org.apache.tomcat.websocket.server.WsServerContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's one-call mount in a plain embedded Tomcat that Parley does not start: a context whose
 * initializers mount both transports, before or after Tomcat's WebSocket initializer ({@link WsSci}), or with
 * none. Runs with no Jetty on the class path (see the pom), as Tomcat users run it.
 */
class TomcatMountTest {
  // Tomcat logs through java.util.logging; JUL holds its loggers weakly, so these keep the levels set here.
  private static final Logger WS_SESSION_LOG = Logger.getLogger("org.apache.tomcat.websocket.WsSession");
  private static final Logger CONTAINER_LOG = Logger.getLogger("org.apache.catalina.core.ContainerBase");
  private static final String MISSING_CONTAINER = "the servlet context has no Jakarta WebSocket ServerContainer";

  @TempDir
  Path baseDir;

  private final Records records = new Records();
  private MountedApp app;
  private EmbeddedTomcat tomcat;
  private RoundTrips clients;

  @BeforeEach
  void newApp() {
    // Tomcat's own WebSocket session logs its creation at trace level (JUL's FINER): the proof that a socket went
    // through Tomcat's Jakarta WebSocket implementation.
    WS_SESSION_LOG.setLevel(Level.FINER);
    WS_SESSION_LOG.addHandler(records);
    CONTAINER_LOG.addHandler(records);
    app = new MountedApp();
  }

  @AfterEach
  void stopAll() throws Exception {
    try {
      if (clients != null) {
        clients.close();
      }
      app.close();
      if (tomcat != null) {
        tomcat.close();
      }
    } finally {
      WS_SESSION_LOG.removeHandler(records);
      WS_SESSION_LOG.setLevel(null);
      CONTAINER_LOG.removeHandler(records);
    }
  }

  @Test
  void mountBeforeTomcatsWebSocketInitializerServesEveryTransport() throws Exception {
    // Spring Boot's order: its initializer (which runs the application's ServletContextInitializers) comes first.
    start(List.of(app.initializer(), new WsSci()), false);

    assertEveryTransportWorks();
  }

  @Test
  void mountAfterTomcatsWebSocketInitializerServesEveryTransport() throws Exception {
    start(List.of(new WsSci(), app.initializer()), false);

    assertEveryTransportWorks();
  }

  @Test
  void closingTheServerBeforeTheContainerEndsOpenStreamsCleanly() throws Exception {
    start(List.of(app.initializer(), new WsSci()), false);
    RoundTrips.Stream stream = clients.openStream();

    // The README's advice: the context listener runs only after the container has stopped the servlets.
    app.close();

    stream.assertEndedByServer();
  }

  @Test
  void withoutWebSocketSupportTheSocketIoServletFailsToStartNamingTheMissingContainer() throws Exception {
    start(List.of(app.initializer()), false);

    // Tomcat's default: the context starts and logs the servlet's failure; each request to that servlet tries to
    // start it again and gets a 500 with the same message.
    assertThat(tomcat.contextState()).isEqualTo("STARTED");
    assertThat(records.thrown()).anySatisfy(error -> assertThat(error)
        .hasMessageStartingWith(MISSING_CONTAINER + " (attribute " + ServerContainer.class.getName()
            + ") once it has started: Apache Tomcat/")
        .hasMessageContaining("tomcat-embed-websocket"));
    HttpResponse<String> polling = clients.get("/socket.io/?EIO=4&transport=polling");
    assertThat(polling.statusCode()).isEqualTo(500);
    assertThat(polling.body()).contains(MISSING_CONTAINER);

    // The SSE transport is a servlet of its own and needs no WebSocket container.
    clients.sseStreamReceivesWhatWasPosted();
  }

  @Test
  void withoutWebSocketSupportAContextThatFailsOnServletErrorsDoesNotStart() throws Exception {
    start(List.of(app.initializer()), true);

    // Tomcat stops a context that failed to start: nothing of it is served.
    assertThat(tomcat.contextState()).isEqualTo("STOPPED");
    assertThat(records.thrown()).anySatisfy(error -> assertThat(error).hasMessageStartingWith(MISSING_CONTAINER));
    assertThat(clients.get("/sse/" + MountedApp.LOBBY).statusCode()).isEqualTo(404);
  }

  private void assertEveryTransportWorks() throws Exception {
    // The portable path is the only one here: Jetty's core upgrade, which the transport prefers inside Jetty,
    // cannot load, and the ServerContainer the servlet upgrades through is Tomcat's.
    assertThatThrownBy(() -> Class.forName("org.eclipse.jetty.ee10.servlet.ServletContextHandler"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThat(tomcat.servletContext().getAttribute(ServerContainer.class.getName()))
        .isInstanceOf(WsServerContainer.class);

    ParleyClient client = clients.webSocketEchoes();
    assertThat(app.openSockets()).isEqualTo(1);
    // The client is Tyrus, so every WebSocket session Tomcat made is a server-side one: the transport's socket.
    assertThat(records.messages(WS_SESSION_LOG.getName()))
        .anyMatch(message -> message.startsWith("Created WebSocket session"));
    client.close();
    await().atMost(Timeouts.STEP).until(() -> app.openSockets() == 0);

    clients.sseStreamReceivesWhatWasPosted();
    clients.pollingConnects();

    // The README's listener: stopping the container closes the chat server.
    tomcat.close();
    tomcat = null;
    assertThat(app.server().isRunning()).isFalse();
  }

  private void start(List<ServletContainerInitializer> initializers, boolean failOnServletErrors) throws Exception {
    tomcat = new EmbeddedTomcat(baseDir, initializers, failOnServletErrors).start();
    clients = new RoundTrips(tomcat.port());
  }

  /** The log records of the loggers it is added to. */
  private static final class Records extends Handler {
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    Records() {
      setLevel(Level.ALL);
    }

    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    List<String> messages(String logger) {
      return records.stream().filter(r -> logger.equals(r.getLoggerName())).map(LogRecord::getMessage).toList();
    }

    List<Throwable> thrown() {
      return records.stream().map(LogRecord::getThrown).filter(Objects::nonNull).toList();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  }
}
