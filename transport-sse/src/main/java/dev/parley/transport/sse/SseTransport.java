package dev.parley.transport.sse;

import dev.parley.spi.Mount;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportContext;
import dev.parley.transport.sse.internal.CoreStreams;
import dev.parley.transport.sse.internal.SseServlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Server-Sent Events down, HTTP POST up, on Jakarta Servlet 6 asynchronous I/O: no thread is held per
 * open stream.
 *
 * <h3>Wire format</h3>
 * <table>
 *   <caption>what travels</caption>
 *   <tr><th>request</th><th>answer</th></tr>
 *   <tr><td>{@code GET {path}anything?ns=/&...} with {@code Accept: text/event-stream}</td>
 *       <td>a stream: {@code retry:}, then {@code event: parley:session} with
 *       {@code {"sid": channel id, "session": session id, "token": secret}}, then events: {@code id:}
 *       (posted messages only), {@code event:} name, {@code data:} JSON (the bare argument of a
 *       one-argument event, else the envelope {@code {"parley:args": [...]}}, see
 *       {@link dev.parley.protocol.sse.SseData}), and {@code : ping} comments. A rejected handshake gets 401/403 (404 for an unknown
 *       namespace) with {@code {"error": message, "data": ...}}.</td></tr>
 *   <tr><td>{@code POST {path}?sid=session} with {@code X-Parley-Token: token} and JSON
 *       {@code {"event": name, "args": [...], "ack": true?}}</td>
 *       <td>200 with the handler's ack arguments as a JSON array, or 204 when the handler did not ack
 *       (with {@code "ack": true} the request waits for an ack sent after the handler returned, up to
 *       {@code postAckTimeout}, then 504)</td></tr>
 *   <tr><td>{@code POST} with {@code {"ackId": n, "args": [...]}}</td>
 *       <td>204: answers a server {@code emitWithAck}, which arrives as
 *       {@code data: {"parley:args": [...], "parley:ackId": n}}; 400 {@code {"error": "unknown ack id"}} for an id the
 *       server never issued (the stream stays open)</td></tr>
 * </table>
 * A reconnecting {@code EventSource} sends {@code Last-Event-ID} (or pass {@code lastEventId} in the
 * query); a connection handler resumes with {@code Replay.resume(channel.handshake(), Replay.last(50))}.
 * When the server ends a channel it sends {@code event: parley:disconnect} before closing the stream,
 * after which a client should close its {@code EventSource}.
 *
 * <p>Any node: a POST may reach any node sharing the store (a load balancer needs no sticky sessions). A token
 * names the node that holds its stream; a node that gets a POST for another node's stream reads the body within
 * the same limits and hands it over the bus to that node ({@link dev.parley.spi.TransportContext#relay}, the
 * token's SHA-256 travelling rather than the token), which answers it as if it had come there; its answer is the
 * response. While it waits, the relaying node holds a place of the client's address; it waits on at most 1,000
 * relayed POSTs at once (beyond, 503), and answers 504 if the stream's node does not answer within
 * {@code postAckTimeout} plus {@code ChatServerConfig.clusterTimeout}, 404 if that node is not alive. A POST whose
 * token names this node (or no node) is judged here: 404 and 403 before the body is read.
 *
 * <p>Errors: unknown or closed session 404, wrong token 403 (both before the body is read), body over
 * {@code maxPostBody} 413 (before it is read if its {@code Content-Length} says so, else as soon as it is
 * over), a body not all there within {@code postBodyTimeout} 408 (and the connection is closed), a body
 * that would hold more than {@code ChatServerConfig.maxInboundBytes} once parsed 413, one that does not fit
 * the connection's or the node's inbound budget for now 503 with {@code Retry-After}, malformed JSON, JSON
 * nested deeper than 64 levels, a missing event name or one Socket.IO reserves ({@code connect},
 * {@code disconnect}, ...) or an answer to an ack id never issued 400, a content type other than
 * {@code application/json} 415, another method 405, a stream request without
 * {@code Accept: text/event-stream} 406, a forbidden origin 403, a stream or a body being read beyond
 * {@code ChatServerConfig.maxConnectionsPerAddress} or a post beyond the connection's
 * {@code maxEventsPerSecond} 429 (a post's with {@code Retry-After}); each with a JSON body
 * {@code {"error": ...}}. Thread-safe.
 */
public final class SseTransport implements Transport {
  /** The transport's name. */
  public static final String NAME = "sse";

  /** The system property that, set to {@code true}, keeps every stream on the Servlet path. */
  public static final String SERVLET_PROPERTY = "parley.sse.servlet";

  private final SseTransportConfig config;
  private volatile @Nullable TransportContext context;
  private volatile @Nullable SseServlet servlet;
  private volatile boolean coreStreams;

  public SseTransport(SseTransportConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The transport's config. */
  public SseTransportConfig config() {
    return config;
  }

  @Override
  public Mono<Void> start(TransportContext context) {
    this.context = Objects.requireNonNull(context, "context");
    return Mono.empty();
  }

  /**
   * Registers the transport's servlet in the host's Servlet context ({@link #mount(ServletContext)}); where the host
   * also offers a place for Jetty core handlers ahead of that context (Parley's Jetty host does, unless the
   * application added servlet filters, which must see every stream), streams are served there, without the Servlet
   * layer, and the servlet answers the rest. The system property {@value #SERVLET_PROPERTY}{@code =true} keeps every
   * stream on the Servlet path.
   *
   * @throws IllegalStateException if the server has not started the transport, or the host has no Servlet context
   */
  @Override
  public void mount(Mount mount) {
    mount(mount.require(ServletContext.class));
    if (Boolean.getBoolean(SERVLET_PROPERTY)) {
      return;
    }
    try {
      coreStreams = CoreStreams.mount(mount, Objects.requireNonNull(servlet), config.path());
    } catch (LinkageError e) {
      // Jetty's server classes are not there: the servlet serves every stream.
      coreStreams = false;
    }
  }

  /** Whether streams are served on Jetty's core API rather than by the servlet (for tests and diagnostics). */
  public boolean coreStreams() {
    return coreStreams;
  }

  /**
   * Registers the transport's servlet (asynchronous) at {@link SseTransportConfig#path()} in a Servlet 6
   * context. Call after the server has started, while the context is initialising.
   *
   * @throws IllegalStateException if the server has not started the transport
   */
  public void mount(ServletContext servletContext) {
    TransportContext started = context;
    if (started == null) {
      throw new IllegalStateException("start the ChatServer before mounting its SSE transport");
    }
    SseServlet created = new SseServlet(config, started);
    ServletRegistration.Dynamic registration = servletContext.addServlet("parley-sse", created);
    registration.setAsyncSupported(true);
    registration.addMapping(config.path() + "*");
    servlet = created;
  }

  /** Open streams on this node (for tests and diagnostics). */
  public int openStreams() {
    SseServlet current = servlet;
    return current == null ? 0 : current.openStreams();
  }

  /**
   * {@code "streams"}: the event streams open now; {@code "bodies"}: POSTs whose body is being read (at most
   * {@link SseTransportConfig#postBodyTimeout()} each); {@code "posts"}: POSTs whose answer waits for the
   * handlers (at most {@link SseTransportConfig#postAckTimeout()} each).
   */
  @Override
  public Map<String, Integer> stats() {
    SseServlet current = servlet;
    return current == null ? Map.of("streams", 0, "bodies", 0, "posts", 0)
        : Map.of("streams", current.openStreams(), "bodies", current.readingPosts(), "posts", current.waitingPosts());
  }

  @Override
  public Mono<Void> stop() {
    SseServlet current = servlet;
    if (current != null) {
      current.closeAll();
    }
    context = null;
    return Mono.empty();
  }
}
