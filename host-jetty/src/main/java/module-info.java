/**
 * Parley's embedded default host: Jetty 12 (EE10) serving every transport, and static files, on one
 * port.
 */
module dev.parley.host.jetty {
  requires transitive dev.parley;
  requires jakarta.servlet;
  requires jakarta.websocket;
  requires org.eclipse.jetty.util;
  requires org.eclipse.jetty.io;
  requires org.eclipse.jetty.http;
  requires org.eclipse.jetty.server;
  requires org.eclipse.jetty.http2.common;
  requires org.eclipse.jetty.http2.server;
  requires org.eclipse.jetty.alpn.server;
  requires org.eclipse.jetty.ee10.servlet;
  requires org.eclipse.jetty.ee10.websocket.jakarta.server;
  requires static org.jspecify;

  exports dev.parley.host.jetty;

  provides dev.parley.spi.HostProvider with dev.parley.host.jetty.JettyHostProvider;
}
