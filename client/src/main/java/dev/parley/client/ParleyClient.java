package dev.parley.client;

import dev.parley.client.internal.ClientConfig;
import dev.parley.client.internal.DefaultParleyClient;
import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.error.LimitExceededException;
import dev.parley.error.ParleyException;
import dev.parley.error.TransportException;
import dev.parley.protocol.DisconnectReason;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * A connection to one namespace of a Parley server (or any Socket.IO v5 server), over Engine.IO v4 on
 * WebSocket, or over Parley's Server-Sent Events transport ({@link ClientTransport#SSE}: a stream down,
 * HTTP posts up) with the same API. Built and connected by {@link #builder(URI)}; {@link #close()} it when
 * done.
 *
 * <pre>{@code
 * try (ParleyClient client = ParleyClient.builder(URI.create("http://localhost:8080"))
 *     .auth(Map.of("token", token))
 *     .on("chat", event -> System.out.println(event.arg(0)))
 *     .connect()) {
 *   client.emit("chat", "hello");
 *   ClientReply reply = client.emitWithAck("echo", "ping").block(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>Over SSE, the same with {@code .transport(ClientTransport.SSE).path("/sse/lobby")} and credentials in a
 * header instead of {@code auth}; see {@link ClientTransport#SSE} for how each call travels.
 *
 * <p><b>States.</b> {@code connect()} returns a connected client. When the connection is lost (network
 * failure, server gone, no heartbeat within {@code pingInterval + pingTimeout}) the client tells the
 * {@link #onDisconnect} listeners and, unless {@link Reconnect#off()}, reconnects by itself with
 * {@link Reconnect backoff}, sending CONNECT with the same auth again, or with what the
 * {@linkplain Builder#auth(Supplier) auth supplier} returns this time (over SSE: opening a new stream with
 * {@code Last-Event-ID}, so that the room's posted messages missed meanwhile arrive, once); a successful
 * reconnect gets a new {@link #id()} and tells the {@link #onConnect} listeners. {@link #disconnect()}, {@link #close()}, the
 * server removing the client from the namespace, the server refusing a reconnect, and running out of
 * attempts all end in the disconnected state, for good. While not connected, {@link #emit} and
 * {@link #emitWithAck} throw {@link IllegalStateException} at once: nothing is queued for later.
 *
 * <p><b>Threads.</b> Every client has its own daemon threads (a client does not keep the JVM alive), in
 * one thread group named {@value #THREAD_NAME_PREFIX}{@code N}: one event thread on which every
 * {@link ClientEventHandler} and listener runs, one at a time, in arrival order; one control thread for
 * connecting (it calls the auth and headers suppliers), the heartbeat watchdog and completing the
 * {@code Mono}s of {@link #emitWithAck}; one timer
 * thread for the other timers (ack timeouts, reconnect delays), unless {@link Builder#scheduler} gives the
 * client a Reactor {@code Scheduler} for them; over WebSocket, one timer
 * thread of the WebSocket sessions and, per connection, the WebSocket client's I/O threads (two workers and
 * one selector thread that the I/O library names itself); over SSE, the {@code http} threads that run the
 * JDK HttpClient's work and read the stream (as many as there are requests at once) and the HttpClient's
 * selector thread ({@code HttpClient-N-SelectorManager}). No application code ever runs on an I/O thread.
 * All but the selectors are named {@value #THREAD_NAME_PREFIX}{@code N-role-M}. {@link #close()} ends them
 * all. Every method is thread-safe.
 */
public interface ParleyClient extends AutoCloseable {

  /** The start of the name of every thread a client starts. */
  String THREAD_NAME_PREFIX = "parley-client-";

  /**
   * Starts building a client of the server at {@code serverUrl}.
   *
   * @param serverUrl the server's base address, {@code http://host:port} (or {@code https}, {@code ws},
   *     {@code wss}); no path: the transport's path is {@link Builder#path(String)} and the namespace
   *     {@link Builder#namespace(String)}. Query parameters are passed on in the handshake.
   * @return a builder with the defaults
   * @throws NullPointerException if {@code serverUrl} is null
   * @throws IllegalArgumentException if the scheme is not one of those four, there is no host, or the URL
   *     has a path or a fragment
   */
  static Builder builder(URI serverUrl) {
    return new Builder(serverUrl);
  }

  /**
   * The namespace this client is connected to.
   *
   * @return the namespace, {@code "/"} by default
   */
  String namespace();

  /**
   * The client's id in its namespace, as the server assigned it in its CONNECT answer. A reconnect keeps
   * it when the server {@linkplain #recovered() recovers} the session, and changes it otherwise.
   *
   * @return the id, or null while not connected
   */
  @Nullable String id();

  /**
   * Whether the last (re)connect over WebSocket resumed the previous session by connection state
   * recovery: the server kept the client's id, rooms and data, and sends the posted messages it missed
   * before any new one. The client asks for it by itself on every reconnect when the server handed out a
   * private id (Parley, and Socket.IO servers with {@code connectionStateRecovery}); over SSE, resuming is
   * {@code Last-Event-ID}'s job and this stays false. A Socket.IO server sends the missed events before its
   * CONNECT answer: the client holds them (at most 10,000; more fail the attempt) and hands them to the
   * handlers right after the {@link #onConnect} listeners, before anything sent later.
   *
   * @return true if the current connection continues the previous one's session
   */
  boolean recovered();

  /**
   * Whether the client is connected to its namespace now.
   *
   * @return true between a CONNECT answer and the loss or end of that connection
   */
  boolean isConnected();

  /**
   * Registers a handler for a named event from the server; several handlers of one event run in
   * registration order. Events that the server sends right on connection may arrive before this call:
   * register their handlers with {@link Builder#on} instead.
   *
   * @param event the event name
   * @param handler runs on the client's event thread
   * @return this client
   * @throws IllegalArgumentException if the name is empty, has control characters, or is reserved
   *     ({@code connect}, {@code connect_error}, {@code disconnect}, …: use {@link #onConnect} and
   *     {@link #onDisconnect})
   */
  ParleyClient on(String event, ClientEventHandler handler);

  /**
   * Removes every handler of a named event.
   *
   * @param event the event name
   * @return this client
   */
  ParleyClient off(String event);

  /**
   * Sends an event to the server. Does not block: the packet is queued on the connection and written
   * in call order (over SSE: posted one at a time, see {@link ClientTransport#SSE}); delivery is not
   * confirmed (use {@link #emitWithAck} for that), and a packet still queued when the connection drops is
   * lost. The queue is bounded ({@link Builder#outboundBufferSize}, {@link Builder#outboundBufferBytes}).
   *
   * @param event the event name
   * @param args JSON-serialisable values, {@code JsonNode}s, or {@code byte[]} (sent as binary
   *     attachments, also inside maps and lists of {@code JsonNode}s; over SSE as base64 strings)
   * @throws IllegalStateException if the client is not connected (it is reconnecting, or was disconnected
   *     or closed); nothing is sent or queued
   * @throws LimitExceededException if the connection's outbound buffer is full ({@code limit()}
   *     {@code "outboundBufferSize"} or {@code "outboundBufferBytes"}); nothing is sent, what is queued stays
   * @throws IllegalArgumentException if the name is invalid or reserved, an argument cannot be serialised,
   *     or the encoded packet is larger than the server's {@code maxPayload}
   */
  void emit(String event, Object... args);

  /**
   * Sends an event and waits for the server's acknowledgement, with the builder's
   * {@linkplain Builder#ackTimeout(Duration) ack timeout}. Eager: the event is sent now, whether or not
   * the result is subscribed to.
   *
   * @param event the event name
   * @param args as for {@link #emit}
   * @return the server's reply; errors with {@link AckTimeoutException} when the timeout passes first,
   *     or with {@link ChannelClosedException} when the connection is lost or ended first; errors at once,
   *     having sent nothing, with {@link LimitExceededException} when {@link Builder#maxPendingAcks} acks are
   *     pending ({@code limit()} {@code "maxPendingAcks"}) or the outbound buffer is full (as for
   *     {@link #emit}). The result is
   *     cached: subscribers present when it arrives get it on the client's control thread (do not block in
   *     their callbacks; blocking on the {@code Mono} from a handler is fine), later ones on their own thread
   * @throws IllegalStateException if the client is not connected
   * @throws IllegalArgumentException as for {@link #emit}
   */
  Mono<ClientReply> emitWithAck(String event, Object... args);

  /**
   * As {@link #emitWithAck(String, Object...)}, with another timeout.
   *
   * @param timeout how long to wait for the reply; positive
   * @param event the event name
   * @param args as for {@link #emit}
   * @return the server's reply, as above
   * @throws IllegalStateException if the client is not connected
   * @throws IllegalArgumentException as for {@link #emit}, or if the timeout is not positive
   */
  Mono<ClientReply> emitWithAck(Duration timeout, String event, Object... args);

  /**
   * Registers a listener for each successful reconnect (the first connection happened before
   * {@code connect()} returned: register with {@link Builder#onConnect} to see it too).
   *
   * @param listener runs on the client's event thread, before any event of the new connection
   * @return this client
   */
  ParleyClient onConnect(Runnable listener);

  /**
   * Registers a listener for the end of each connection: {@link DisconnectReason#TRANSPORT_CLOSE},
   * {@link DisconnectReason#TRANSPORT_ERROR}, {@link DisconnectReason#PING_TIMEOUT} or
   * {@link DisconnectReason#PARSE_ERROR} when it was lost (a reconnect follows, if enabled),
   * {@link DisconnectReason#SERVER_NAMESPACE_DISCONNECT} when the server removed the client, and
   * {@link DisconnectReason#CLIENT_NAMESPACE_DISCONNECT} after {@link #disconnect()} or {@link #close()}.
   * Called once per connection.
   *
   * @param listener runs on the client's event thread, after the connection's last event
   * @return this client
   */
  ParleyClient onDisconnect(Consumer<DisconnectReason> listener);

  /**
   * Registers a listener for the client giving up reconnecting: the server refused a reconnect
   * ({@link ConnectionRejectedException}, for example an expired token) or every allowed attempt failed
   * ({@link TransportException}). The client is then disconnected for good.
   *
   * @param listener runs on the client's event thread
   * @return this client
   */
  ParleyClient onReconnectFailed(Consumer<ParleyException> listener);

  /**
   * Leaves the namespace: sends Socket.IO's DISCONNECT, then closes the connection once it is written
   * (over SSE: closes the stream once the posts sent before are answered); bounded by a short grace period. Pending acks fail with {@link ChannelClosedException}; the
   * {@link #onDisconnect} listeners get {@link DisconnectReason#CLIENT_NAMESPACE_DISCONNECT}; the client
   * does not reconnect, also not if it was reconnecting. Idempotent. Its threads live on until
   * {@link #close()}.
   */
  void disconnect();

  /**
   * Disconnects as {@link #disconnect()} does, runs the listeners still queued, and ends every thread the
   * client started. Blocks until they have ended, for a few seconds at most (not when called from a
   * handler, which runs on one of them). Idempotent.
   */
  @Override
  void close();

  /**
   * Collects a client's settings. Not thread-safe; {@link #connect()} may be called more than once, each
   * call making a new client.
   */
  final class Builder {
    private final ClientConfig.Builder config;

    Builder(URI serverUrl) {
      this.config = ClientConfig.builder(serverUrl);
    }

    /**
     * The transport to connect with: {@link ClientTransport#WEBSOCKET} (the default) or
     * {@link ClientTransport#SSE}. Choose it before {@link #path(String)}, whose rules and default depend on it.
     *
     * @param transport the transport
     * @return this builder
     * @throws IllegalArgumentException if a path set before is not valid for this transport
     */
    public Builder transport(ClientTransport transport) {
      config.transport(transport);
      return this;
    }

    /**
     * The path the server's transport is mounted at: for WebSocket the Engine.IO path; for SSE the stream's
     * path, which may go on below the transport's mount point (a room: {@code /sse/lobby}); posts go to the
     * same path.
     *
     * @param path for WebSocket starts and ends with {@code /}, default {@code /socket.io/}; for SSE starts
     *     with {@code /}, default {@code /sse/}
     * @return this builder
     * @throws IllegalArgumentException if it does not start (and, for WebSocket, end) with {@code /}, or has
     *     {@code ?}, {@code #} or control characters
     */
    public Builder path(String path) {
      config.path(path);
      return this;
    }

    /**
     * The namespace to connect to.
     *
     * @param namespace starts with {@code /}; default {@code /}
     * @return this builder
     * @throws IllegalArgumentException if it does not start with {@code /} or has a comma or control
     *     characters
     */
    public Builder namespace(String namespace) {
      config.namespace(namespace);
      return this;
    }

    /**
     * The auth payload of the CONNECT packet, the same on the first connection and on every reconnect;
     * the server's middleware reads it as {@code handshake.auth()}. WebSocket only: SSE has no CONNECT
     * packet, and {@link #connect()} refuses an auth payload there (send a header instead). Replaces an
     * {@linkplain #auth(Supplier) auth supplier} set before.
     *
     * @param auth a value that serialises to a JSON object (a map, a record, an {@code ObjectNode}), or
     *     null for none
     * @return this builder
     */
    public Builder auth(@Nullable Object auth) {
      config.auth(auth);
      return this;
    }

    /**
     * Makes the auth payload of the CONNECT packet anew for every connection attempt, for credentials that
     * expire (a token refreshed before each reconnect):
     *
     * <pre>{@code
     * ParleyClient.builder(url)
     *     .auth(() -> Map.of("token", tokens.current()))   // called once per connection attempt
     *     .connect();
     * }</pre>
     *
     * <p><b>When.</b> Once per attempt, before the socket is opened: for {@link #connect()} and for each
     * reconnect attempt, never for anything else; an attempt that fails calls it again on the next one. Its
     * time counts towards the attempt's {@linkplain #connectTimeout connect timeout}. The server's middleware
     * reads the value as {@code handshake.auth()}; when the client resumes a session, the connection state
     * recovery fields ({@code pid}, {@code offset}) are added to a copy of it.
     *
     * <p><b>Thread.</b> The client's control thread
     * ({@value ParleyClient#THREAD_NAME_PREFIX}{@code N-control-1}), which meanwhile does nothing else (it
     * also completes the {@code Mono}s of {@link ParleyClient#emitWithAck}): it may block to fetch a token,
     * briefly. Not the caller of {@code connect()}, which waits for it.
     *
     * <p><b>Failures.</b> If it throws, or returns a value that does not serialise to a JSON object, that
     * attempt fails without connecting: {@link #connect()} throws a {@link TransportException} whose message
     * says that the auth or headers supplier failed and whose cause chain ends with what it threw; a
     * reconnect attempt fails like one whose connection could not be made (logged at WARN with the
     * exception), and the
     * {@linkplain #reconnect(Reconnect) reconnect policy} goes on: the next attempt after the backoff calls
     * the supplier again, and when the attempts are used up the {@link ParleyClient#onReconnectFailed}
     * listeners get a {@link TransportException} caused by the last failure. Returning null sends no auth
     * payload. WebSocket only, as {@link #auth(Object)}: over SSE use {@link #headers(Supplier)}. Replaces a
     * static auth payload set before.
     *
     * @param auth called once per connection attempt; returns a value that serialises to a JSON object, or
     *     null for none
     * @return this builder
     * @throws NullPointerException if {@code auth} is null (use {@code auth((Object) null)} for no payload)
     */
    public Builder auth(Supplier<?> auth) {
      config.authSupplier(auth);
      return this;
    }

    /**
     * Makes HTTP headers anew for every connection attempt, added to those of {@link #header} (replacing a
     * header of the same name): for the WebSocket handshake request, or for the SSE stream request and every
     * post of that stream. This is how credentials that expire are refreshed over SSE, where there is no
     * auth payload: {@code headers(() -> Map.of("Authorization", "Bearer " + tokens.current()))}. Called
     * when, where and with the failures of {@link #auth(Supplier)}: once per attempt on the control thread,
     * an exception (or a header name or value with control characters, or over SSE one the JDK HttpClient
     * may not send) fails the attempt, null adds nothing.
     *
     * @param headers called once per connection attempt; returns names and values, or null for none
     * @return this builder
     */
    public Builder headers(Supplier<? extends Map<String, String>> headers) {
      config.headerSupplier(headers);
      return this;
    }

    /**
     * Adds HTTP headers to the WebSocket handshake request, or to every SSE request (on every reconnect
     * too); cookies go as a {@code Cookie} header.
     *
     * @param headers names and values; a later value for a name replaces an earlier one
     * @return this builder
     */
    public Builder headers(Map<String, String> headers) {
      Objects.requireNonNull(headers, "headers").forEach(this::header);
      return this;
    }

    /**
     * Adds one HTTP header to the WebSocket handshake request, or to every SSE request.
     *
     * @param name the header name
     * @param value its value
     * @return this builder
     * @throws IllegalArgumentException if the name is empty or either has control characters
     */
    public Builder header(String name, String value) {
      config.header(name, value);
      return this;
    }

    /**
     * The default timeout of {@link ParleyClient#emitWithAck(String, Object...)}.
     *
     * @param ackTimeout positive; default 10 s
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder ackTimeout(Duration ackTimeout) {
      config.ackTimeout(ackTimeout);
      return this;
    }

    /**
     * How long one connection attempt may take, from opening the socket to the server's CONNECT answer
     * (over SSE, its {@code parley:session} event); it bounds {@link #connect()} and each reconnect attempt.
     *
     * @param connectTimeout positive; default 10 s
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder connectTimeout(Duration connectTimeout) {
      config.connectTimeout(connectTimeout);
      return this;
    }

    /**
     * How many emitted packets may wait in a connection's outbound buffer: emitted (by {@link ParleyClient#emit}
     * or {@link ParleyClient#emitWithAck}) but not yet written to the WebSocket, which writes one frame at a
     * time, or over SSE not yet posted, which posts one emit at a time after the server's answer to the one
     * before. Only a slow network or a slow server fills it. At the bound the next emit is refused at once
     * with a {@link LimitExceededException} whose {@code limit()} is {@code "outboundBufferSize"}:
     * {@code emit} throws it, {@code emitWithAck}'s {@code Mono} errors with it; nothing is sent, and nothing
     * already buffered is dropped. Acks answering the server, pongs and the client's own CONNECT and
     * DISCONNECT are not counted and never refused.
     *
     * @param packets at least 1; default 1,000
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder outboundBufferSize(int packets) {
      config.outboundBufferSize(packets);
      return this;
    }

    /**
     * How many bytes of encoded packets (a WebSocket packet's UTF-8 text and binary attachments; an SSE
     * post's JSON body) the outbound buffer may hold; as {@link #outboundBufferSize}, with the
     * {@code limit()} {@code "outboundBufferBytes"}. A packet that finds the buffer empty is always taken,
     * however large (the server's {@code maxPayload} bounds it over WebSocket).
     *
     * @param bytes at least 1; default 1 MiB (1,048,576)
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder outboundBufferBytes(long bytes) {
      config.outboundBufferBytes(bytes);
      return this;
    }

    /**
     * How many {@link ParleyClient#emitWithAck} calls may wait for the server's answer at once. Beyond it
     * the next {@code emitWithAck} sends nothing and its {@code Mono} errors at once with a
     * {@link LimitExceededException} whose {@code limit()} is {@code "maxPendingAcks"}. A slot is freed when
     * the answer arrives, when the ack times out ({@link AckTimeoutException}), and when the connection ends
     * (every pending ack fails with {@link ChannelClosedException}).
     *
     * @param acks at least 1; default 1,000
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxPendingAcks(int acks) {
      config.maxPendingAcks(acks);
      return this;
    }

    /**
     * How to reconnect after the connection is lost.
     *
     * @param reconnect the policy; default {@link Reconnect#defaults()}, {@link Reconnect#off()} for none
     * @return this builder
     */
    public Builder reconnect(Reconnect reconnect) {
      config.reconnect(reconnect);
      return this;
    }

    /**
     * The JSON mapper that serialises arguments and converts them in {@code arg(i, type)}.
     *
     * @param jsonMapper the mapper; default a plain {@code JsonMapper}
     * @return this builder
     */
    public Builder jsonMapper(JsonMapper jsonMapper) {
      config.jsonMapper(jsonMapper);
      return this;
    }

    /**
     * Registers an event handler before connecting, so that it sees the events the server sends right
     * on connection. As {@link ParleyClient#on}.
     *
     * @param event the event name
     * @param handler runs on the client's event thread
     * @return this builder
     * @throws IllegalArgumentException if the name is invalid or reserved
     */
    public Builder on(String event, ClientEventHandler handler) {
      config.on(event, handler);
      return this;
    }

    /**
     * Registers a listener for every connection, the first one included.
     *
     * @param listener runs on the client's event thread
     * @return this builder
     */
    public Builder onConnect(Runnable listener) {
      config.onConnect(listener);
      return this;
    }

    /**
     * Registers a listener for the end of every connection. As {@link ParleyClient#onDisconnect}.
     *
     * @param listener runs on the client's event thread
     * @return this builder
     */
    public Builder onDisconnect(Consumer<DisconnectReason> listener) {
      config.onDisconnect(listener);
      return this;
    }

    /**
     * Registers a listener for the client giving up reconnecting. As
     * {@link ParleyClient#onReconnectFailed}.
     *
     * @param listener runs on the client's event thread
     * @return this builder
     */
    public Builder onReconnectFailed(Consumer<ParleyException> listener) {
      config.onReconnectFailed(listener);
      return this;
    }

    /**
     * Runs the client's timers on this scheduler instead of one of its own: ack timeouts, the wait for
     * the server's CONNECT answer on each reconnect, the backoff delay before each reconnect attempt, and
     * the grace period of a closing connection. A {@code VirtualTimeScheduler} makes them testable without
     * waiting. Each timer is one {@code schedule(task, delay, unit)} call, cancelled by disposing what it
     * returns; its task only hands work to the client's own threads (acks complete on the control thread,
     * reconnects connect there), so it never blocks the scheduler. Not disposed by the client: its owner
     * disposes it, after {@link ParleyClient#close()}. Without it the client makes a single-threaded daemon
     * scheduler ({@code parley-client-timer}) and disposes it on close. Not (yet) on it: the blocking
     * timeout of the first {@link #connect()}, which waits in the caller's thread, and the WebSocket
     * transport's heartbeat watchdog.
     *
     * @param scheduler the scheduler; not disposed by the client
     * @return this builder
     */
    public Builder scheduler(Scheduler scheduler) {
      config.scheduler(scheduler);
      return this;
    }

    /**
     * Connects: opens the WebSocket, completes the Engine.IO handshake, sends CONNECT with the auth
     * payload and waits for the server's answer (over SSE: opens the stream and waits for its
     * {@code parley:session} event), for at most the {@linkplain #connectTimeout connect timeout}. Blocks
     * the calling thread. There is no automatic retry of this first connection.
     *
     * @return the connected client
     * @throws ConnectionRejectedException if the server refused the CONNECT (its middleware threw, or
     *     the namespace does not exist), with the server's message and data; over SSE, a 401, 403 or 404
     *     answer with a JSON {@code {"error": message}}
     * @throws TransportException if the connection could not be made or was lost before the answer, or
     *     the answer did not come in time; {@link TransportException#httpStatus()} holds the status of a
     *     refused HTTP handshake and {@link TransportException#closeCode()} the WebSocket close code, if known;
     *     also if the {@linkplain #auth(Supplier) auth} or {@linkplain #headers(Supplier) header} supplier
     *     failed (its exception at the end of the cause chain)
     * @throws IllegalArgumentException if the auth payload does not serialise to a JSON object; over SSE,
     *     if there is an auth payload at all, or a header the JDK HttpClient may not send ({@code Host},
     *     {@code Connection}, …)
     */
    public ParleyClient connect() {
      return DefaultParleyClient.connect(config.build());
    }
  }
}
