package dev.parley.client.internal;

import dev.parley.client.ClientEventHandler;
import dev.parley.client.ClientReply;
import dev.parley.client.ClientTransport;
import dev.parley.client.ParleyClient;
import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.error.ParleyException;
import dev.parley.error.TransportException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.JsonArguments;
import dev.parley.protocol.Packet;
import dev.parley.protocol.socketio.RecoveryOffset;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The client: the connection state machine, handler dispatch, pending acks and reconnection, the same for
 * every transport; a {@link Connector} makes the transport's {@link Link}s. State changes happen under one
 * lock, on whichever thread reported them; application code only ever runs on the event thread (handlers,
 * listeners) and the control thread (ack results).
 */
public final class DefaultParleyClient implements ParleyClient, LinkListener {
  private static final Logger log = LoggerFactory.getLogger(DefaultParleyClient.class);
  /** How long a closing connection may take to write its DISCONNECT before the socket is cut. */
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
  /** How long close() waits for the client's threads to end. */
  private static final Duration THREADS_END = Duration.ofSeconds(5);

  private enum State {
    CONNECTING("connecting"),
    CONNECTED("connected"),
    RECONNECTING("reconnecting"),
    DISCONNECTED("disconnected"),
    CLOSED("closed");

    private final String text;

    State(String text) {
      this.text = text;
    }
  }

  /** One emitWithAck waiting for its answer. */
  private static final class PendingAck {
    final String event;
    final Sinks.One<ClientReply> sink = Sinks.one();
    volatile @Nullable Disposable timer;

    PendingAck(String event) {
      this.event = event;
    }

    void cancelTimer() {
      Disposable t = timer;
      if (t != null) {
        t.dispose();
      }
    }
  }

  private final ClientConfig settings;
  private final JsonMapper mapper;
  private final URI endpoint;
  private final ClientThreads threads = new ClientThreads();
  private final ThreadPoolExecutor events;
  private final ScheduledThreadPoolExecutor control;
  /** Every timer of the client but the WebSocket heartbeat watchdog; the builder's, or the client's own. */
  private final Scheduler timers;
  private final boolean ownTimers;
  private final Connector connector;
  private final Map<String, List<ClientEventHandler>> handlers = new ConcurrentHashMap<>();
  private final List<Runnable> connectListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<DisconnectReason>> disconnectListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<ParleyException>> reconnectFailedListeners = new CopyOnWriteArrayList<>();
  private final Map<Long, PendingAck> pending = new ConcurrentHashMap<>();
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicLong ackIds = new AtomicLong();
  private final Object lock = new Object();

  // Written under lock; volatile so that emit and the getters read them without it.
  private volatile State state = State.CONNECTING;
  private volatile @Nullable Link link;
  private volatile @Nullable String id;
  // Connection state recovery: the private id the server handed out, and the offset of the last posted
  // event received; presented on reconnect. Written under lock (offset: on the link's reading thread).
  private volatile @Nullable String privateId;
  private volatile @Nullable String offset;
  private volatile boolean recovered;
  // Guarded by lock.
  private int attempts;
  private @Nullable Disposable reconnectTimer;
  private @Nullable Disposable answerTimer;

  private DefaultParleyClient(ClientConfig settings) {
    this.settings = settings;
    this.mapper = settings.jsonMapper();
    settings.handlers().forEach((event, list) -> handlers.put(event, new CopyOnWriteArrayList<>(list)));
    connectListeners.addAll(settings.connectListeners());
    disconnectListeners.addAll(settings.disconnectListeners());
    reconnectFailedListeners.addAll(settings.reconnectFailedListeners());
    this.events = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
        threads.factory("events"));
    this.control = new ScheduledThreadPoolExecutor(1, threads.factory("control"));
    control.setRemoveOnCancelPolicy(true);
    control.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.ownTimers = settings.scheduler() == null;
    this.timers = ownTimers ? Schedulers.newSingle(threads.factory("timer")) : settings.scheduler();
    this.connector = settings.transport() == ClientTransport.SSE ? new SseConnector(settings, threads)
        : new WebSocketConnector(settings, threads, control);
    this.endpoint = connector.endpoint();
  }

  /** Builds a client and makes its first connection; releases everything if that fails. */
  public static ParleyClient connect(ClientConfig settings) {
    DefaultParleyClient client = new DefaultParleyClient(settings);
    try {
      client.firstConnect();
      return client;
    } catch (RuntimeException | Error e) {
      client.close();
      throw e;
    }
  }

  JsonMapper mapper() {
    return mapper;
  }

  // ---- connecting ----

  private void firstConnect() {
    long deadline = System.nanoTime() + settings.connectTimeout().toNanos();
    Link attempt = newLink();
    synchronized (lock) {
      link = attempt;
    }
    openOnControlThread(attempt, deadline);
    try {
      attempt.answer().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      log.debug("connected to {} namespace {} as {}", endpoint, settings.namespace(), id);
    } catch (TimeoutException e) {
      attempt.fail(DisconnectReason.TRANSPORT_ERROR, "no " + connector.answerName());
      throw new TransportException("no " + connector.answerName() + " from " + endpoint + " (namespace "
          + ClientConfig.quote(settings.namespace()) + ") within " + settings.connectTimeout().toMillis() + " ms", 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted while connecting to " + endpoint, 0, e);
    } catch (ExecutionException e) {
      // Rethrown as new exceptions so that the stack trace shows the caller's connect().
      Throwable cause = e.getCause();
      if (cause instanceof ConnectionRejectedException rejected) {
        throw new ConnectionRejectedException(rejected.getMessage(), rejected.data());
      }
      if (cause instanceof TransportException transport) {
        throw new TransportException(transport.getMessage(), transport.closeCode(), transport);
      }
      throw new TransportException("could not connect to " + endpoint + ": " + cause, 0, cause);
    }
  }

  private Link newLink() {
    Link created = connector.newLink(this);
    links.add(created);
    return created;
  }

  /** Opens the first connection from the control thread, so that its I/O threads join the client's group. */
  private void openOnControlThread(Link attempt, long deadline) {
    Future<?> opening = control.submit(() -> open(attempt));
    try {
      // The upgrade itself is bounded by the connect timeout; the margin only covers a busy machine.
      opening.get(Math.max(1, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TransportException transport) {
        throw new TransportException(transport.getMessage(), transport.closeCode(), transport);
      }
      throw new TransportException("could not connect to " + endpoint + ": " + e.getCause(), 0, e.getCause());
    } catch (TimeoutException e) {
      opening.cancel(true);
      throw new TransportException("could not connect to " + endpoint + " within "
          + settings.connectTimeout().toMillis() + " ms", 0);
    } catch (InterruptedException e) {
      opening.cancel(true);
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted while connecting to " + endpoint, 0, e);
    }
  }

  /** Opens a link on the control thread (for WebSocket, the upgrade: it blocks up to the connect timeout). */
  private void open(Link attempt) {
    try {
      connector.open(attempt);
    } catch (TransportException e) {
      links.remove(attempt);
      throw e;
    } catch (RuntimeException e) {
      links.remove(attempt);
      throw new TransportException("could not connect to " + endpoint + ": " + e, 0, e);
    }
  }

  @Override
  public void linkOpened(Link opened) {
    synchronized (lock) {
      if (opened != link) {
        return;
      }
    }
    opened.prepare(new Packet.Connect(settings.namespace(), connectAuth())).send();
  }

  /** The auth payload, with the private id and offset added when the client can resume a session. */
  private @Nullable JsonNode connectAuth() {
    String pid = privateId;
    if (pid == null) {
      return settings.auth();
    }
    ObjectNode auth = settings.auth() == null ? JsonNodeFactory.instance.objectNode() : settings.auth().deepCopy();
    auth.put("pid", pid);
    String last = offset;
    if (last != null) {
      auth.put("offset", last);
    }
    return auth;
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
      }
    } else if (packet instanceof Packet.Ack ack) {
      acked(from, ack);
    } else if (packet instanceof Packet.Disconnect) {
      serverDisconnected(from);
    }
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
      recovered = pid != null && pid.equals(privateId);
      privateId = pid;
      if (!recovered) {
        offset = null;
      }
      id = sid;
      state = State.CONNECTED;
      attempts = 0;
      cancel(answerTimer);
      answerTimer = null;
      if (reconnected) {
        log.debug("reconnected to {} namespace {} as {}", endpoint, settings.namespace(), sid);
      }
      for (Runnable listener : connectListeners) {
        onEvents(listener::run, "onConnect listener");
      }
    }
    from.answer().complete(sid);
  }

  @Override
  public void linkConnectError(Link from, String namespace, String message, @Nullable JsonNode data) {
    if (!namespace.equals(settings.namespace())) {
      return;
    }
    ConnectionRejectedException rejected = new ConnectionRejectedException(message, data);
    synchronized (lock) {
      if (from != link) {
        return;
      }
      forgetLink();
      if (state == State.RECONNECTING) {
        log.debug("reconnect refused: {}", message);
        state = State.DISCONNECTED;
        reconnectFailed(rejected);
      } else if (state == State.CONNECTED) {
        lost(DisconnectReason.SERVER_NAMESPACE_DISCONNECT, State.DISCONNECTED);
      }
    }
    from.answer().completeExceptionally(rejected);
    from.closeAfterFlush();
  }

  // The link is no longer this client's, nor is the wait for its CONNECT answer. Under the lock.
  private void forgetLink() {
    link = null;
    cancel(answerTimer);
    answerTimer = null;
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
        state = State.DISCONNECTED;
        reconnectFailed(new TransportException("the server disconnected the client before answering CONNECT", 0));
      }
    }
    from.answer().completeExceptionally(
        new TransportException("the server disconnected the client before answering CONNECT", 0));
    from.closeAfterFlush();
  }

  @Override
  public void linkClosed(Link closed, DisconnectReason reason, int closeCode, String detail) {
    links.remove(closed);
    synchronized (lock) {
      if (closed == link) {
        forgetLink();
        if (state == State.CONNECTED) {
          log.debug("connection lost: {} ({})", reason.wireName(), detail);
          boolean again = settings.reconnect().enabled();
          lost(reason, again ? State.RECONNECTING : State.DISCONNECTED);
          if (again) {
            attempts = 0;
            scheduleReconnect();
          }
        } else if (state == State.RECONNECTING) {
          scheduleReconnect();
        }
      }
    }
    closed.answer().completeExceptionally(new TransportException(
        "the connection to " + endpoint + " ended before the " + connector.answerName() + ": " + detail, closeCode));
  }

  /** Ends the current connection: pending acks fail, listeners hear why. Under lock. */
  private void lost(DisconnectReason reason, State next) {
    String old = id;
    id = null;
    state = next;
    failPending(old == null ? "?" : old, reason);
    for (Consumer<DisconnectReason> listener : disconnectListeners) {
      onEvents(() -> listener.accept(reason), "onDisconnect listener");
    }
  }

  // ---- reconnecting ----

  /** Under lock, in state RECONNECTING. */
  private void scheduleReconnect() {
    if (attempts >= settings.reconnect().maxAttempts()) {
      state = State.DISCONNECTED;
      reconnectFailed(new TransportException("gave up reconnecting to " + endpoint + " after " + attempts
          + " attempts", 0));
      return;
    }
    Duration delay = settings.reconnect().delay(attempts, ThreadLocalRandom.current().nextDouble());
    attempts++;
    log.debug("reconnect attempt {} in {} ms", attempts, delay.toMillis());
    try {
      // The attempt itself runs on the control thread: it blocks, and its I/O threads join the client's group.
      reconnectTimer = timers.schedule(() -> onControl(this::reconnect), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      state = State.DISCONNECTED;
    }
  }

  /** One reconnect attempt, on the control thread. */
  private void reconnect() {
    Link attempt;
    synchronized (lock) {
      reconnectTimer = null;
      if (state != State.RECONNECTING) {
        return;
      }
      attempt = newLink();
      link = attempt;
      try {
        answerTimer = timers.schedule(() -> onControl(() -> {
          if (link == attempt && state == State.RECONNECTING) {
            attempt.fail(DisconnectReason.TRANSPORT_ERROR, "no " + connector.answerName());
          }
        }), settings.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        link = null;
        return;
      }
    }
    try {
      open(attempt);
    } catch (TransportException e) {
      log.debug("reconnect attempt {} failed: {}", attempts, e.getMessage());
      synchronized (lock) {
        if (link == attempt) {
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

  private void reconnectFailed(ParleyException error) {
    log.debug("stopped reconnecting: {}", error.getMessage());
    for (Consumer<ParleyException> listener : reconnectFailedListeners) {
      onEvents(() -> listener.accept(error), "onReconnectFailed listener");
    }
  }

  // ---- events and acks ----

  private void dispatch(Link from, Packet.Event packet) {
    List<JsonNode> args = packet.args();
    String messageId = packet.messageId();
    if (privateId != null) {
      // The server's recovery slot, which the application never sees; the codec that adds it takes it off.
      RecoveryOffset slot = RecoveryOffset.take(packet);
      args = slot.args();
      if (slot.offset() != null) {
        messageId = slot.offset();
        offset = messageId;
      }
    }
    DefaultClientEvent event = new DefaultClientEvent(packet.name(), args, packet.ackId(), messageId, this, from);
    onEvents(() -> {
      List<ClientEventHandler> list = handlers.get(packet.name());
      if (list == null || list.isEmpty()) {
        log.debug("no handler for event {}; dropped", ClientConfig.quote(packet.name()));
        return;
      }
      for (ClientEventHandler handler : list) {
        try {
          handler.handle(event);
        } catch (Exception e) {
          log.warn("handler of event {} failed", ClientConfig.quote(packet.name()), e);
        }
      }
    }, "handler");
  }

  private void acked(Link from, Packet.Ack ack) {
    if (from != link) {
      return;
    }
    PendingAck waiting = pending.remove(ack.id());
    if (waiting == null) {
      log.debug("ack {} answers nothing pending (timed out?); dropped", ack.id());
      return;
    }
    waiting.cancelTimer();
    ClientReply reply = new DefaultClientReply(ack.args(), mapper);
    onControl(() -> waiting.sink.tryEmitValue(reply));
  }

  @Override
  public void linkAckFailed(Link from, long ackId, ParleyException error) {
    if (from != link) {
      return;
    }
    PendingAck waiting = pending.remove(ackId);
    if (waiting == null) {
      return;
    }
    waiting.cancelTimer();
    onControl(() -> waiting.sink.tryEmitError(error));
  }

  /** Sends the answer to a server's emitWithAck, if the connection it belongs to is still the current one. */
  void sendAck(Link from, long ackId, List<JsonNode> args) {
    if (from != link || state != State.CONNECTED) {
      log.debug("ack {} dropped: its connection is gone", ackId);
      return;
    }
    from.prepare(new Packet.Ack(settings.namespace(), ackId, args)).send();
  }

  private void failPending(String channelId, DisconnectReason reason) {
    for (Map.Entry<Long, PendingAck> entry : pending.entrySet()) {
      PendingAck waiting = entry.getValue();
      if (pending.remove(entry.getKey(), waiting)) {
        waiting.cancelTimer();
        ChannelClosedException error = new ChannelClosedException(channelId, reason);
        onControl(() -> waiting.sink.tryEmitError(error));
      }
    }
  }

  private void onEvents(Runnable task, String what) {
    try {
      events.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          log.warn("{} failed", what, e);
        }
      });
    } catch (RejectedExecutionException e) {
      log.debug("client closed; {} not run", what);
    }
  }

  /**
   * Runs on the control thread; inline once that has been shut down, so no Mono is left hanging. Every timer
   * hands its work over with this, so that a timer never blocks its scheduler nor runs client code on it.
   */
  private void onControl(Runnable task) {
    try {
      control.execute(task);
    } catch (RejectedExecutionException e) {
      task.run();
    }
  }

  private static void cancel(@Nullable Disposable timer) {
    if (timer != null) {
      timer.dispose();
    }
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
    return recovered;
  }

  @Override
  public ParleyClient on(String event, ClientEventHandler handler) {
    ClientConfig.checkInboundEvent(event);
    Objects.requireNonNull(handler, "handler");
    handlers.computeIfAbsent(event, e -> new CopyOnWriteArrayList<>()).add(handler);
    return this;
  }

  @Override
  public ParleyClient off(String event) {
    Objects.requireNonNull(event, "event");
    handlers.remove(event);
    return this;
  }

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
    ClientConfig.checkPositive("timeout", timeout);
    ClientConfig.checkOutboundEvent(event);
    List<JsonNode> json = JsonArguments.toJson(mapper, event, args);
    Link current = connectedLink(event);
    long ackId = ackIds.getAndIncrement();
    Link.Outbound packet = current.prepare(new Packet.Event(settings.namespace(), event, json, ackId, null));
    PendingAck waiting = new PendingAck(event);
    pending.put(ackId, waiting);
    try {
      waiting.timer = timers.schedule(() -> {
        if (pending.remove(ackId, waiting)) {
          AckTimeoutException error = new AckTimeoutException(waiting.event, timeout);
          onControl(() -> waiting.sink.tryEmitError(error));
        }
      }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      pending.remove(ackId, waiting);
      throw new IllegalStateException("cannot emit " + ClientConfig.quote(event) + ": the client is closed");
    }
    packet.send();
    // The connection may have ended between the check and the registration: then nothing would fail it.
    if (link != current && pending.remove(ackId, waiting)) {
      waiting.cancelTimer();
      String channelId = id == null ? "?" : id;
      ChannelClosedException error = new ChannelClosedException(channelId, DisconnectReason.TRANSPORT_CLOSE);
      onControl(() -> waiting.sink.tryEmitError(error));
    }
    return waiting.sink.asMono();
  }

  private Link connectedLink(String event) {
    Link current = link;
    State now = state;
    if (now != State.CONNECTED || current == null) {
      throw new IllegalStateException("cannot emit " + ClientConfig.quote(event) + ": the client is " + now.text
          + "; emits fail fast while not connected and nothing is queued for later (wait for onConnect, "
          + "or check isConnected())");
    }
    return current;
  }

  @Override
  public ParleyClient onConnect(Runnable listener) {
    connectListeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  @Override
  public ParleyClient onDisconnect(Consumer<DisconnectReason> listener) {
    disconnectListeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  @Override
  public ParleyClient onReconnectFailed(Consumer<ParleyException> listener) {
    reconnectFailedListeners.add(Objects.requireNonNull(listener, "listener"));
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
      link = null;
      cancel(reconnectTimer);
      reconnectTimer = null;
      cancel(answerTimer);
      answerTimer = null;
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
        timers.schedule(() -> onControl(current::abort), CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        current.abort();
      }
    }
  }

  @Override
  public void close() {
    disconnect();
    synchronized (lock) {
      if (state == State.CLOSED) {
        return;
      }
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
      events.shutdown();
      control.shutdown();
      disposeTimers();
      connector.shutdown();
      if (!own && !threads.awaitEnded(THREADS_END)) {
        log.debug("some threads of {} were still running after {} ms", threads.prefix(), THREADS_END.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      events.shutdownNow();
      control.shutdownNow();
      disposeTimers();
      connector.shutdownNow();
    }
    log.debug("client {} closed", threads.prefix());
  }

  /** Disposes the client's own timer scheduler; never one the builder was given. */
  private void disposeTimers() {
    if (ownTimers) {
      timers.dispose();
    }
  }

  @Override
  public String toString() {
    return "ParleyClient[" + endpoint + ", namespace " + settings.namespace() + ", " + state.text
        + (id == null ? "" : ", id " + id) + "]";
  }
}
