/** Parley's Server-Sent Events transport: EventSource streams down, HTTP POST up. */
module dev.parley.transport.sse {
  requires transitive dev.parley;
  requires static jakarta.servlet;
  requires static org.jspecify;

  exports dev.parley.transport.sse;

  provides dev.parley.spi.TransportProvider with dev.parley.transport.sse.SseTransportProvider;
}
