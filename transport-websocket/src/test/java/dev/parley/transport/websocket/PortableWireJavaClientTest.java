package dev.parley.transport.websocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Java client tests again, with the portable Jakarta path forced (the upgrade and the wire): inside Jetty
 * the transport normally upgrades and writes on Jetty's core WebSocket API, so without this the path every
 * other container takes would go untested.
 */
class PortableWireJavaClientTest extends WebSocketJavaClientTest {
  private static final String PORTABLE = "parley.websocket.portable";

  @BeforeAll
  static void forcePortableWire() {
    System.setProperty(PORTABLE, "true");
  }

  @AfterAll
  static void restore() {
    System.clearProperty(PORTABLE);
  }
}
