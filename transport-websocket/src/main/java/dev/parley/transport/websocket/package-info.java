/**
 * The WebSocket transport: Socket.IO protocol v5 on Engine.IO protocol v4, WebSocket only, so the
 * official Socket.IO clients ({@code io(url, {transports: ["websocket"]})}) connect unchanged.
 * {@link dev.parley.transport.websocket.WebSocketTransport} mounts into any Servlet 6 container with
 * Jakarta WebSocket 2.1 (the embedded Jetty host, Tomcat 10.1+, Spring Boot 3).
 */
@NullMarked
package dev.parley.transport.websocket;

import org.jspecify.annotations.NullMarked;
