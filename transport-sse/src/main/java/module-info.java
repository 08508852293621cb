/** Parley's Server-Sent Events transport: EventSource streams down, HTTP POST up. */
module dev.parley.transport.sse {
  requires transitive dev.parley;
  requires static jakarta.servlet;
  requires static org.jspecify;
  // Optional: streams on Jetty's core API (CoreStreams), used only inside Parley's Jetty host.
  requires static org.eclipse.jetty.server;
  requires static org.eclipse.jetty.http;
  requires static org.eclipse.jetty.util;
  requires static org.eclipse.jetty.io;

  exports dev.parley.transport.sse;

  provides dev.parley.spi.TransportProvider with dev.parley.transport.sse.SseTransportProvider;
}
