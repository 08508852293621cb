package dev.parley.client;

/**
 * How a {@link ParleyClient} reaches the server; chosen with {@link ParleyClient.Builder#transport}. Both
 * have the same API and the same behaviour (connect, {@code on}, {@code emit}, {@code emitWithAck} with its
 * timeout, acks to the server, reconnection with {@link Reconnect backoff}, threads, {@code close()}),
 * except where said below.
 *
 * <pre>{@code
 * ParleyClient client = ParleyClient.builder(URI.create("http://localhost:8080"))
 *     .transport(ClientTransport.SSE)
 *     .path("/sse/lobby")
 *     .header("Authorization", "Bearer " + token)
 *     .on("chat", event -> show(event.arg(0)))
 *     .connect();
 * }</pre>
 */
public enum ClientTransport {

  /**
   * Socket.IO v5 over Engine.IO v4 on WebSocket (Tyrus): Parley's WebSocket transport or any Socket.IO v5
   * server. Default path {@code /socket.io/}. The default.
   */
  WEBSOCKET,

  /**
   * Parley's Server-Sent Events transport, on the JDK {@code HttpClient} (HTTP/1.1). Default path
   * {@code /sse/}; the path may name more (a room, {@code /sse/lobby}), since a stream's path reaches the
   * server's connection handler.
   *
   * <table>
   *   <caption>how the client's API travels over SSE</caption>
   *   <tr><th>API</th><th>on the wire</th></tr>
   *   <tr><td>{@code connect()}, a reconnect</td>
   *       <td>{@code GET {path}[?ns=namespace][&url query]} with {@code Accept: text/event-stream}, the
   *       builder's headers (with those of its
   *       {@link ParleyClient.Builder#headers(java.util.function.Supplier) headers supplier}, called for each
   *       attempt), and {@code Last-Event-ID} once an event with an {@code id:} has arrived; the
   *       client is connected when the {@code parley:session} event arrives ({@code sid} is its
   *       {@link ParleyClient#id() id}). A 401, 403 or 404 answer with {@code {"error": message}} is a
   *       {@link dev.parley.error.ConnectionRejectedException} with that message (and {@code data})</td></tr>
   *   <tr><td>{@code on(event, handler)}</td>
   *       <td>{@code event: name} with {@code data:} one JSON value, which is the event's one argument: the
   *       server's argument when it emitted one, and the array of its arguments when it emitted none or
   *       several (the stream does not tell an array argument from several arguments). Data
   *       {@code {"ackId": n, "args": [...]}} is the server's {@code emitWithAck}: its {@code args} are
   *       the arguments, and {@link ClientEvent#ack} posts {@code {"ackId": n, "args": [...]}}</td></tr>
   *   <tr><td>{@code emit(event, args...)}</td>
   *       <td>{@code POST {path}?sid=session} with {@code X-Parley-Token}, the stream's headers and
   *       {@code {"event": name, "args": [...]}}; 204 expected, a failure is logged</td></tr>
   *   <tr><td>{@code emitWithAck(event, args...)}</td>
   *       <td>the same with {@code "ack": true}: 200 with a JSON array is the reply, 204 a reply without
   *       arguments, 504 an {@link dev.parley.error.AckTimeoutException}, 404 a
   *       {@link dev.parley.error.ChannelClosedException}, another status a
   *       {@link dev.parley.error.TransportException}</td></tr>
   *   <tr><td>the server removes the client</td>
   *       <td>{@code event: parley:disconnect}: disconnected for good, no reconnect</td></tr>
   *   <tr><td>the connection is lost</td>
   *       <td>the stream ends or fails, or a post fails to reach the server: a reconnect with the builder's
   *       {@link Reconnect} policy ({@code retry:} is read but not used), resuming after
   *       {@code Last-Event-ID}, so that the room's posted messages arrive exactly once</td></tr>
   * </table>
   *
   * <p>Differences from {@link #WEBSOCKET}: there is no auth payload ({@link ParleyClient.Builder#auth}
   * is refused; send credentials in a header, {@link ParleyClient.Builder#headers(java.util.function.Supplier)}
   * to refresh them on each reconnect, or in the URL's query); {@code byte[]} arguments travel as base64
   * strings (JSON has no binary), so {@link ClientEvent#bytes} does not apply; emits are posted one at a
   * time in call order, each once the one before has been answered (after the server's handlers ran),
   * except that an {@code emitWithAck} does not hold back the emits after it, which may overtake it; a dead
   * connection is noticed when the stream or a post fails, as there is no heartbeat to watch. Its threads:
   * the client's {@code http} threads, which run the HttpClient's work and read the stream, and the
   * HttpClient's selector thread, which the JDK names {@code HttpClient-N-SelectorManager}; {@code close()}
   * ends them too.
   */
  SSE
}
