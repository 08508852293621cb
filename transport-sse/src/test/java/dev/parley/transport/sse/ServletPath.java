package dev.parley.transport.sse;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with every stream on the Servlet path ({@value SseTransport#SERVLET_PROPERTY}{@code =true}):
 * inside Parley's Jetty host streams are served on Jetty's core API, so without it the path every other container
 * takes would be tested only there.
 */
final class ServletPath implements BeforeAllCallback, AfterAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) {
    System.setProperty(SseTransport.SERVLET_PROPERTY, "true");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    System.clearProperty(SseTransport.SERVLET_PROPERTY);
  }
}
