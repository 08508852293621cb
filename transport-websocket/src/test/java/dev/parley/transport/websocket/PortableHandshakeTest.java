package dev.parley.transport.websocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The tests of {@link HandshakeTest} again on the portable Jakarta path: inside Jetty a fresh socket is normally upgraded
 * on Jetty's core WebSocket API, so without this the path every other container takes would go untested.
 */
class PortableHandshakeTest extends HandshakeTest {
  private static final String PORTABLE = "parley.websocket.portable";

  @BeforeAll
  static void forcePortablePath() {
    System.setProperty(PORTABLE, "true");
  }

  @AfterAll
  static void restore() {
    System.clearProperty(PORTABLE);
  }
}
