package dev.parley.containers;

import static dev.parley.containers.EmbeddedJetty.JAKARTA_WEBSOCKET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.client.ParleyClient;
import dev.parley.testsupport.Timeouts;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.websocket.server.ServerContainer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's one-call mount in a plain Jetty 12 server with an EE10 context that Parley does not start: the
 * context's initializers mount both transports, before or after Jetty's Jakarta WebSocket initializer, or there is
 * none. Inside Jetty the transport upgrades on Jetty's core WebSocket API unless
 * {@code parley.websocket.portable=true}; both ways are checked. Tagged {@code jetty}: it runs in a surefire
 * execution of its own, with no Tomcat on the class path (see the pom).
 */
@Tag("jetty")
class JettyEe10MountTest {
  private static final String PORTABLE = "parley.websocket.portable";

  private MountedApp app;
  private EmbeddedJetty jetty;
  private RoundTrips clients;

  @BeforeEach
  void newApp() {
    app = new MountedApp();
  }

  @AfterEach
  void stopAll() throws Exception {
    try {
      if (clients != null) {
        clients.close();
      }
      app.close();
      if (jetty != null) {
        jetty.close();
      }
    } finally {
      System.clearProperty(PORTABLE);
    }
  }

  @Test
  void mountBeforeJakartaWebSocketInitializerServesEveryTransport() throws Exception {
    start(List.of(app.initializer(), JAKARTA_WEBSOCKET));

    assertEveryTransportWorks(false);
  }

  @Test
  void mountAfterJakartaWebSocketInitializerServesEveryTransport() throws Exception {
    start(List.of(JAKARTA_WEBSOCKET, app.initializer()));

    assertEveryTransportWorks(false);
  }

  @Test
  void portablePathServesEveryTransport() throws Exception {
    // Read on each upgrade: set before any client connects.
    System.setProperty(PORTABLE, "true");
    start(List.of(app.initializer(), JAKARTA_WEBSOCKET));

    assertEveryTransportWorks(true);
  }

  @Test
  void closingTheServerBeforeTheContainerEndsOpenStreamsCleanly() throws Exception {
    start(List.of(app.initializer(), JAKARTA_WEBSOCKET));
    RoundTrips.Stream stream = clients.openStream();

    // The README's advice: the context listener runs only after the container has stopped the servlets.
    app.close();

    stream.assertEndedByServer();
  }

  @Test
  void withoutWebSocketSupportTheContextFailsToStartNamingTheMissingContainer() {
    jetty = new EmbeddedJetty(List.of(app.initializer()));

    // Jetty fails the context's start, and with it the server's, when a load-on-startup servlet fails to start.
    assertThatThrownBy(jetty::start)
        .hasStackTraceContaining("the servlet context has no Jakarta WebSocket ServerContainer (attribute "
            + ServerContainer.class.getName() + ") once it has started: jetty/")
        .hasStackTraceContaining("jetty-ee10-websocket-jakarta-server");
  }

  /**
   * Both transports and both directions. {@code portable}: whether the WebSocket must be a session of Jetty's
   * Jakarta WebSocket container (the path every other container takes), or one the transport upgraded on Jetty's
   * core API, which that container never sees.
   */
  private void assertEveryTransportWorks(boolean portable) throws Exception {
    ParleyClient client = clients.webSocketEchoes();
    assertThat(app.openSockets()).isEqualTo(1);
    assertThat(jetty.openJakartaSessions()).isEqualTo(portable ? 1 : 0);
    client.close();
    await().atMost(Timeouts.STEP).until(() -> app.openSockets() == 0);

    clients.sseStreamReceivesWhatWasPosted();
    clients.pollingConnects();

    // The README's listener: stopping the container closes the chat server.
    jetty.close();
    jetty = null;
    assertThat(app.server().isRunning()).isFalse();
  }

  private void start(List<ServletContainerInitializer> initializers) throws Exception {
    jetty = new EmbeddedJetty(initializers).start();
    clients = new RoundTrips(jetty.port());
  }
}
