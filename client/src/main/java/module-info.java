/**
 * Parley's Java client: Socket.IO v5 over Engine.IO v4 on WebSocket, on the Tyrus standalone client
 * (an automatic module that carries the Jakarta WebSocket client API); and Parley's Server-Sent Events
 * transport on the JDK HttpClient ({@code java.net.http}). It shares the wire formats with the server through
 * {@code dev.parley.protocol} and needs nothing of the server engine.
 */
@SuppressWarnings("requires-automatic")
module dev.parley.client {
  requires transitive dev.parley.protocol;
  requires transitive reactor.core;
  requires transitive org.reactivestreams;
  requires org.slf4j;
  requires java.net.http;
  requires tyrus.standalone.client;
  requires static org.jspecify;

  exports dev.parley.client;
}
