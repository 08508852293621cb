package dev.parley.transport.websocket;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class on the portable Jakarta path (the upgrade and the wire), with
 * {@code parley.websocket.portable=true}: inside Jetty the transport normally upgrades and writes on Jetty's core
 * WebSocket API, so without it the path every other container takes would go untested.
 */
final class PortablePath implements BeforeAllCallback, AfterAllCallback {
  private static final String PORTABLE = "parley.websocket.portable";

  @Override
  public void beforeAll(ExtensionContext context) {
    System.setProperty(PORTABLE, "true");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    System.clearProperty(PORTABLE);
  }
}
