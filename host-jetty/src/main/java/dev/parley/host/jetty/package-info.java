/**
 * The embedded default host: {@link dev.parley.host.jetty.JettyHost} runs Jetty 12 (EE10) on the
 * server's {@code bindAddress} and {@code port}, mounts every transport into one Servlet context through
 * the standard Jakarta Servlet and WebSocket hooks, and can serve static files from the same port.
 * {@link dev.parley.host.jetty.JettyHostProvider} makes it the host a {@code ChatServer} finds when this
 * artifact is on the class path or module path.
 */
@NullMarked
package dev.parley.host.jetty;

import org.jspecify.annotations.NullMarked;
