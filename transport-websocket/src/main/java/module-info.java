/** Parley's WebSocket transport: Socket.IO v5 over Engine.IO v4 on Jakarta WebSocket 2.1. */
module dev.parley.transport.websocket {
  requires transitive dev.parley;
  requires static jakarta.websocket;
  requires static jakarta.servlet;
  requires static org.jspecify;
  // Optional: the Jetty writer (JettySocketWriter), used only when the transport runs inside Jetty 12.
  requires static org.eclipse.jetty.ee10.websocket.jakarta.common;
  requires static org.eclipse.jetty.websocket.core.common;
  requires static org.eclipse.jetty.util;
  // Optional too: the upgrade on Jetty's core WebSocket API (CoreUpgrade, CoreEndpoint), inside Jetty 12 EE10.
  requires static org.eclipse.jetty.ee10.servlet;
  requires static org.eclipse.jetty.server;
  requires static org.eclipse.jetty.websocket.core.server;

  exports dev.parley.transport.websocket;

  provides dev.parley.spi.TransportProvider with dev.parley.transport.websocket.WebSocketTransportProvider;
}
