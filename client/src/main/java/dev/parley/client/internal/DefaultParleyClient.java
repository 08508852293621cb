package dev.parley.client.internal;

import dev.parley.client.ClientEventHandler;
import dev.parley.client.ClientReply;
import dev.parley.client.ClientTransport;
import dev.parley.client.ParleyClient;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.error.LimitExceededException;
import dev.parley.error.ParleyException;
import dev.parley.error.TransportException;
import dev.parley.protocol.Checks;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.JsonArguments;
import dev.parley.protocol.Packet;
import dev.parley.protocol.Refusal;
import dev.parley.protocol.socketio.RecoveryOffset;
import dev.parley.protocol.support.Lifecycle;
import dev.parley.protocol.support.PendingAcks;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The client: the connection state machine, the same for every transport, and the facade over its parts:
 * a {@link Connector} makes the transport's {@link Link}s, {@link ClientListeners} calls the application,
 * {@link ClientAcks} keeps the pending acks ({@link PendingAcks}, shared with the server),
 * {@link Reconnector} times the reconnect attempts and {@link SessionRecovery} resumes sessions.
 *
 * <p>Its life is a {@link Lifecycle}: {@code start()} makes the first connection, {@code stop()}
 * ({@link #close()}) ends it and the client's threads. State changes happen under one lock, on whichever
 * thread reported them; application code only ever runs on the event thread (handlers, listeners) and the
 * control thread (ack results, the auth and headers suppliers of each connection attempt). Every timer runs on the client's Reactor scheduler and hands its work to the
 * control thread.
 */
public final class DefaultParleyClient extends Lifecycle implements ParleyClient, LinkListener {
  private static final Logger log = LoggerFactory.getLogger(DefaultParleyClient.class);
  /** How long a closing connection may take to write its DISCONNECT before the socket is cut. */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
  /** How long close() waits for the client's threads to end. */
  private static final Duration THREADS_END = Duration.ofSeconds(5);
  /** How much longer than the connect timeout connect() waits in real time, should the timers be stuck. */
  private static final Duration CONNECT_MARGIN = Duration.ofSeconds(5);
  /** How many events a connection may bring before its CONNECT answer; more fail it. */
  private static final int MAX_EARLY_EVENTS = 10_000;

  /** The connection's state; the client's life (started, stopped) is the {@link Lifecycle}'s. */
  private enum State {
    CONNECTING, CONNECTED, RECONNECTING, DISCONNECTED, CLOSED;

    String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final ClientConfig settings;
  private final JsonMapper mapper;
  private final URI endpoint;
  private final ClientThreads threads;
  private final Connector connector;
  private final ClientListeners listeners;
  private final ClientAcks acks;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Reconnector reconnector;
  private final SessionRecovery recovery = new SessionRecovery();
  private final Object lock = new Object();

  // Written under lock; volatile so that emit and the getters read them without it.
  private volatile State state = State.CONNECTING;
  private volatile @Nullable Link link;
  private volatile @Nullable String id;
  // The auth payload of the current attempt, from the supplier; written on the control thread before the
  // attempt's link is opened, read when it opens.
  private volatile @Nullable ObjectNode attemptAuth;
  // Guarded by lock.
  private @Nullable Runnable answerTimer;
  // Why the last reconnect attempt failed to open, for the exception of giving up; cleared on connecting.
  private @Nullable TransportException lastFailure;
  // Events of the current link that came before its CONNECT answer: Socket.IO sends a recovered session's
  // missed events first. Guarded by lock; handed to the application once connected, emptied with the link.
  private final List<Packet.Event> early = new ArrayList<>();

  private DefaultParleyClient(ClientConfig settings) {
    super("ParleyClient");
    this.settings = settings;
    this.mapper = settings.jsonMapper();
    this.threads = new ClientThreads(settings.scheduler());
    this.listeners = new ClientListeners(settings, threads);
    this.acks = new ClientAcks(threads, mapper, settings.maxPendingAcks());
    this.reconnector = new Reconnector(settings.reconnect(), threads);
    this.connector = settings.transport() == ClientTransport.SSE ? new SseConnector(settings, threads)
        : new WebSocketConnector(settings, threads);
    this.endpoint = connector.endpoint();
  }

  /**
   * Builds a client and makes its first connection; releases everything if that fails.
   *
   * @throws ConnectionRejectedException if the server refused the client
   * @throws TransportException if the connection could not be made or was not answered in time
   */
  public static ParleyClient connect(ClientConfig settings) {
    DefaultParleyClient client = new DefaultParleyClient(settings);
    client.start();
    return client;
  }

  JsonMapper mapper() {
    return mapper;
  }

  // ---- connecting ----

  /** The first connection: the caller waits for the server's answer, and gets its refusal or failure. */
  @Override
  protected void doStart() {
    Link attempt = newLink();
    synchronized (lock) {
      link = attempt;
      answerTimer = answerTimeout(attempt);
    }
    // The connect timeout runs on the client's timers; the margin only keeps a caller from waiting for ever
    // on timers that do not run (a virtual clock nobody advances), or covers a busy machine.
    long deadline = System.nanoTime() + settings.connectTimeout().plus(CONNECT_MARGIN).toNanos();
    // Opened from the control thread, so that the connection's I/O threads join the client's group.
    threads.await(threads.submitControl(() -> open(attempt)), deadline, endpoint, () -> new TransportException(
        "could not connect to " + endpoint + " within " + settings.connectTimeout().toMillis() + " ms"));
    threads.await(attempt.answer(), deadline, endpoint, () -> {
      attempt.fail(DisconnectReason.TRANSPORT_ERROR, "no " + connector.answerName());
      return noAnswer();
    });
    log.debug("connected to {} namespace {} as {}", endpoint, settings.namespace(), id);
  }

  private TransportException noAnswer() {
    return new TransportException("no " + connector.answerName() + " from " + endpoint + " (namespace "
        + ClientConfig.quote(settings.namespace()) + ") within " + settings.connectTimeout().toMillis() + " ms");
  }

  /** Fails {@code attempt} if the server has not answered it within the connect timeout. Under lock. */
  private Runnable answerTimeout(Link attempt) {
    return threads.schedule(() -> {
      synchronized (lock) {
        if (link != attempt || (state != State.CONNECTING && state != State.RECONNECTING)) {
          return;
        }
      }
      attempt.answer().completeExceptionally(noAnswer());
      attempt.fail(DisconnectReason.TRANSPORT_ERROR, "no " + connector.answerName());
    }, settings.connectTimeout());
  }

  private Link newLink() {
    Link created = connector.newLink(this);
    links.add(created);
    return created;
  }

  /**
   * Opens a link on the control thread (for WebSocket, the upgrade: it blocks up to the connect timeout),
   * with this attempt's credentials from the application's suppliers.
   *
   * @throws TransportException if the connection could not be made, or a supplier failed
   */
  private void open(Link attempt) {
    ClientConfig.Credentials credentials;
    try {
      credentials = settings.credentials();
    } catch (RuntimeException e) {
      links.remove(attempt);
      if (state == State.RECONNECTING) {
        // The application's exception: the reconnect policy goes on, so say so, not only at debug level.
        log.warn("the auth or headers supplier failed; this reconnect attempt to {} fails", endpoint, e);
      }
      throw new TransportException("could not connect to " + endpoint + ": the auth or headers supplier failed: "
          + e, e);
    }
    attemptAuth = credentials.auth();
    try {
      connector.open(attempt, credentials.headers());
    } catch (TransportException e) {
      links.remove(attempt);
      throw e;
    } catch (RuntimeException e) {
      links.remove(attempt);
      throw new TransportException("could not connect to " + endpoint + ": " + e, e);
    }
  }

  @Override
  public void linkOpened(Link opened) {
    synchronized (lock) {
      if (opened != link) {
        return;
      }
    }
    opened.prepare(new Packet.Connect(settings.namespace(), recovery.auth(attemptAuth))).send();
  }

  @Override
  public void linkPacket(Link from, Packet packet) {
    if (!packet.namespace().equals(settings.namespace())) {
      log.debug("packet for namespace {} this client has not joined; dropped",
          ClientConfig.quote(packet.namespace()));
      return;
    }
    if (packet instanceof Packet.Connect connect) {
      connected(from, connect);
    } else if (packet instanceof Packet.Event event) {
      if (from == link && state == State.CONNECTED) {
        dispatch(from, event);
      } else if (from == link) {
        early(from, event);
      }
    } else if (packet instanceof Packet.Ack ack) {
      if (from == link) {
        acks.answered(ack);
      }
    } else if (packet instanceof Packet.Disconnect) {
      serverDisconnected(from);
    }
  }

  /** Keeps an event that came before the CONNECT answer, for {@link #connected}. */
  private void early(Link from, Packet.Event event) {
    synchronized (lock) {
      if (from != link || (state != State.CONNECTING && state != State.RECONNECTING)) {
        return;
      }
      if (early.size() < MAX_EARLY_EVENTS) {
        early.add(event);
        return;
      }
    }
    from.fail(DisconnectReason.PARSE_ERROR, "more than " + MAX_EARLY_EVENTS + " events before the CONNECT answer");
  }

  private void connected(Link from, Packet.Connect connect) {
    String sid = connect.data() == null ? "" : connect.data().path("sid").asString("");
    if (sid.isEmpty()) {
      from.fail(DisconnectReason.PARSE_ERROR, "CONNECT answer without sid");
      return;
    }
    String pid = connect.data().path("pid").asString(null);
    synchronized (lock) {
      if (from != link || (state != State.CONNECTING && state != State.RECONNECTING)) {
        return;
      }
      boolean reconnected = state == State.RECONNECTING;
      recovery.accepted(pid);
      id = sid;
      state = State.CONNECTED;
      lastFailure = null;
      reconnector.reset();
      cancelAnswerTimer();
      if (reconnected) {
        log.debug("reconnected to {} namespace {} as {}", endpoint, settings.namespace(), sid);
      }
      listeners.connected();
      // After the connect listeners, before anything that follows on this link (read by this same thread).
      for (Packet.Event event : early) {
        dispatch(from, event);
      }
      early.clear();
    }
    from.answer().complete(sid);
  }

  @Override
  public void linkConnectError(Link from, Packet.ConnectError refusal) {
    if (!refusal.namespace().equals(settings.namespace())) {
      return;
    }
    ConnectionRejectedException rejected =
        ConnectionRejectedException.of(refusal.refusal(), refusal.message(), refusal.data());
    synchronized (lock) {
      if (from != link) {
        return;
      }
      forgetLink();
      if (state == State.RECONNECTING && notNow(refusal.refusal())) {
        log.debug("reconnect refused for now: {}", refusal.message());
        scheduleReconnect();
      } else if (state == State.RECONNECTING) {
        giveUp(rejected);
      } else if (state == State.CONNECTED) {
        lost(DisconnectReason.SERVER_NAMESPACE_DISCONNECT, State.DISCONNECTED);
      }
    }
    from.answer().completeExceptionally(rejected);
    from.closeAfterFlush();
  }

  /**
   * Whether a refusal means "not now" rather than "not you": the server is shutting down or over a limit,
   * so a later attempt may be accepted. Only SSE can tell (from the HTTP status, 503 or 429, which its
   * transport also answers before the engine sees the handshake); Socket.IO's CONNECT_ERROR carries no kind.
   */
  private static boolean notNow(Refusal refusal) {
    return refusal == Refusal.SHUTTING_DOWN || refusal == Refusal.LIMIT;
  }

  // The link is no longer this client's, nor is the wait for its CONNECT answer. Under the lock.
  private void forgetLink() {
    link = null;
    early.clear();
    cancelAnswerTimer();
  }

  private void cancelAnswerTimer() {
    Runnable cancel = answerTimer;
    answerTimer = null;
    if (cancel != null) {
      cancel.run();
    }
  }

  private void serverDisconnected(Link from) {
    synchronized (lock) {
      if (from != link) {
        return;
      }
      forgetLink();
      if (state == State.CONNECTED) {
        log.debug("the server removed this client from namespace {}", settings.namespace());
        lost(DisconnectReason.SERVER_NAMESPACE_DISCONNECT, State.DISCONNECTED);
      } else if (state == State.RECONNECTING) {
        giveUp(new TransportException("the server disconnected the client before answering CONNECT"));
      }
    }
    from.answer().completeExceptionally(
        new TransportException("the server disconnected the client before answering CONNECT"));
    from.closeAfterFlush();
  }

  @Override
  public void linkClosed(Link closed, DisconnectReason reason, TransportException ending) {
    links.remove(closed);
    synchronized (lock) {
      if (closed == link) {
        forgetLink();
        if (state == State.CONNECTED) {
          log.debug("connection lost: {} ({})", reason.wireName(), ending.getMessage());
          boolean again = settings.reconnect().enabled();
          lost(reason, again ? State.RECONNECTING : State.DISCONNECTED);
          if (again) {
            reconnector.reset();
            scheduleReconnect();
          }
        } else if (state == State.RECONNECTING) {
          scheduleReconnect();
        }
      }
    }
    closed.answer().completeExceptionally(new TransportException("the connection to " + endpoint
        + " ended before the " + connector.answerName() + ": " + ending.getMessage(), ending));
  }

  /** Ends the current connection: pending acks fail, listeners hear why. Under lock. */
  private void lost(DisconnectReason reason, State next) {
    String old = id;
    id = null;
    state = next;
    acks.failAll(old == null ? "?" : old, reason);
    listeners.disconnected(reason);
  }

  // ---- reconnecting ----

  /** Under lock, in state RECONNECTING. The attempt itself runs on the control thread: it blocks. */
  private void scheduleReconnect() {
    try {
      if (!reconnector.schedule(this::reconnect)) {
        String message = "gave up reconnecting to " + endpoint + " after " + reconnector.attempts() + " attempts";
        TransportException last = lastFailure;
        giveUp(last == null ? new TransportException(message) : new TransportException(message, last));
      }
    } catch (RejectedExecutionException e) {
      state = State.DISCONNECTED;
    }
  }

  /** One reconnect attempt, on the control thread. */
  private void reconnect() {
    Link attempt;
    synchronized (lock) {
      if (state != State.RECONNECTING) {
        return;
      }
      attempt = newLink();
      link = attempt;
      try {
        answerTimer = answerTimeout(attempt);
      } catch (RejectedExecutionException e) {
        link = null;
        return;
      }
    }
    try {
      open(attempt);
    } catch (TransportException e) {
      log.debug("reconnect attempt {} failed: {}", reconnector.attempts(), e.getMessage());
      synchronized (lock) {
        if (link == attempt) {
          lastFailure = e;
          forgetLink();
          if (state == State.RECONNECTING) {
            scheduleReconnect();
          }
        }
      }
    }
    // A disconnect() or close() while the connection was opening has already closed it (see EngineLink.onOpen,
    // SseLink.start).
  }

  /** Stops reconnecting, and tells the listeners why. Under lock. */
  private void giveUp(ParleyException error) {
    log.debug("stopped reconnecting: {}", error.getMessage());
    state = State.DISCONNECTED;
    listeners.reconnectFailed(error);
  }

  // ---- events and acks ----

  private void dispatch(Link from, Packet.Event packet) {
    RecoveryOffset event = recovery.take(packet);
    listeners.dispatch(
        new DefaultClientEvent(packet.name(), event.args(), packet.ackId(), event.offset(), this, from));
  }

  @Override
  public void linkAckFailed(Link from, long ackId, ParleyException error) {
    if (from == link) {
      acks.fail(ackId, error);
    }
  }

  /** Sends the answer to a server's emitWithAck, if the connection it belongs to is still the current one. */
  void sendAck(Link from, long ackId, List<JsonNode> args) {
    if (from != link || state != State.CONNECTED) {
      log.debug("ack {} dropped: its connection is gone", ackId);
      return;
    }
    from.prepare(new Packet.Ack(settings.namespace(), ackId, args)).send();
  }

  // ---- API ----

  @Override
  public String namespace() {
    return settings.namespace();
  }

  @Override
  public @Nullable String id() {
    return id;
  }

  @Override
  public boolean isConnected() {
    return state == State.CONNECTED;
  }

  @Override
  public boolean recovered() {
    return recovery.recovered();
  }

  @Override
  public ParleyClient on(String event, ClientEventHandler handler) {
    listeners.on(event, handler);
    return this;
  }

  @Override
  public ParleyClient off(String event) {
    listeners.off(event);
    return this;
  }

  /** Throws {@link LimitExceededException} when the link's outbound buffer is full (Link.Outbound.send). */
  @Override
  public void emit(String event, Object... args) {
    ClientConfig.checkOutboundEvent(event);
    List<JsonNode> json = JsonArguments.toJson(mapper, event, args);
    Link current = connectedLink(event);
    current.prepare(new Packet.Event(settings.namespace(), event, json, null, null)).send();
  }

  @Override
  public Mono<ClientReply> emitWithAck(String event, Object... args) {
    return emitWithAck(settings.ackTimeout(), event, args);
  }

  @Override
  public Mono<ClientReply> emitWithAck(Duration timeout, String event, Object... args) {
    Checks.positive("timeout", timeout);
    ClientConfig.checkOutboundEvent(event);
    List<JsonNode> json = JsonArguments.toJson(mapper, event, args);
    Link current = connectedLink(event);
    Sinks.One<ClientReply> waiting = Sinks.one();
    long ackId;
    try {
      ackId = acks.register(event, timeout, waiting);
    } catch (LimitExceededException e) {
      // Overload, not a mistake of the caller's: an error signal, as the server's emitWithAck gives.
      return Mono.error(e);
    }
    Link.Outbound packet;
    try {
      packet = current.prepare(new Packet.Event(settings.namespace(), event, json, ackId, null));
    } catch (RuntimeException e) {
      acks.forget(ackId);
      throw e;
    }
    try {
      packet.send();
    } catch (LimitExceededException e) {
      acks.forget(ackId);
      return Mono.error(e);
    }
    // The connection may have ended between the check and the registration: then nothing would fail it.
    if (link != current) {
      acks.fail(ackId, new ChannelClosedException(id == null ? "?" : id, DisconnectReason.TRANSPORT_CLOSE));
    }
    return waiting.asMono();
  }

  private Link connectedLink(String event) {
    Link current = link;
    State now = state;
    if (now != State.CONNECTED || current == null) {
      throw new IllegalStateException("cannot emit " + ClientConfig.quote(event) + ": the client is " + now.text()
          + "; emits fail fast while not connected and nothing is queued for later (wait for onConnect, "
          + "or check isConnected())");
    }
    return current;
  }

  @Override
  public ParleyClient onConnect(Runnable listener) {
    listeners.onConnect(listener);
    return this;
  }

  @Override
  public ParleyClient onDisconnect(Consumer<DisconnectReason> listener) {
    listeners.onDisconnect(listener);
    return this;
  }

  @Override
  public ParleyClient onReconnectFailed(Consumer<ParleyException> listener) {
    listeners.onReconnectFailed(listener);
    return this;
  }

  @Override
  public void disconnect() {
    Link current;
    boolean wasConnected;
    synchronized (lock) {
      if (state == State.DISCONNECTED || state == State.CLOSED) {
        return;
      }
      wasConnected = state == State.CONNECTED;
      current = link;
      forgetLink();
      reconnector.cancel();
      if (wasConnected) {
        lost(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT, State.DISCONNECTED);
      } else {
        state = State.DISCONNECTED;
      }
    }
    log.debug("disconnecting from {} namespace {}", endpoint, settings.namespace());
    if (current != null) {
      if (wasConnected) {
        current.prepare(new Packet.Disconnect(settings.namespace())).send();
      }
      current.closeAfterFlush();
      try {
        threads.schedule(current::abort, CLOSE_GRACE);
      } catch (RejectedExecutionException e) {
        current.abort();
      }
    }
  }

  /** Stops the client ({@link #stop()}); on one of its own threads while another thread stops it, returns. */
  @Override
  public void close() {
    if (threads.isOwnThread() && state() == Lifecycle.State.STOPPING) {
      // The stopping thread waits for this one to end.
      return;
    }
    stop();
  }

  /** Ends the connection, then closes the links and ends the client's threads. */
  @Override
  protected void doStop() {
    disconnect();
    synchronized (lock) {
      state = State.CLOSED;
    }
    boolean own = threads.isOwnThread();
    try {
      // Let each closing connection write its DISCONNECT and close, then cut what is left.
      for (Link closing : links) {
        if (!own) {
          closing.awaitClosed(CLOSE_GRACE);
        }
        closing.abort();
      }
      links.clear();
      threads.shutdown();
      connector.shutdown();
      if (!own && !threads.awaitEnded(THREADS_END)) {
        log.debug("some threads of {} were still running after {} ms", threads.prefix(), THREADS_END.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      threads.shutdownNow();
      connector.shutdownNow();
    }
    log.debug("client {} closed", threads.prefix());
  }

  @Override
  public String toString() {
    return "ParleyClient[" + endpoint + ", namespace " + settings.namespace() + ", " + state.text()
        + (id == null ? "" : ", id " + id) + "]";
  }
}
