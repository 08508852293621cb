package dev.parley.test;

import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.JsonArguments;
import dev.parley.protocol.Packet;
import dev.parley.protocol.PacketEncoder;
import dev.parley.protocol.support.PendingAcks;
import dev.parley.spi.Connection;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Session;
import dev.parley.spi.TransportContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client of the {@link InProcessTransport}: one connection, one namespace. It records every event it
 * receives in a queue that tests pop with {@link #next()}, answers the server's acks with responders,
 * and can stall its reading to play a slow consumer.
 *
 * <p>Thread-safe; packets reach the server in the order the client's methods were called. The answers to
 * the server's acks go out on one thread the client owns (it must not answer on the server's write path),
 * which {@link #close()} and {@link #drop()} end.
 */
public final class TestClient implements AutoCloseable {
  private final TransportContext context;
  private final ConnectionInfo info;
  private final PacketEncoder<Packet> encoder;
  private final JsonMapper mapper;
  private final Object sendLock = new Object();
  private final BlockingQueue<ReceivedEvent> events = new LinkedBlockingQueue<>();
  private final PendingAcks<Sinks.One<List<JsonNode>>> pendingAcks = new PendingAcks<>(Integer.MAX_VALUE);
  private final Map<String, Function<List<JsonNode>, Object[]>> responders = new ConcurrentHashMap<>();
  private final ExecutorService answers = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "test-client-ack");
    thread.setDaemon(true);
    return thread;
  });
  private final CompletableFuture<String> connected = new CompletableFuture<>();
  private final CompletableFuture<DisconnectReason> disconnected = new CompletableFuture<>();
  private final List<Runnable> stalledWrites = new ArrayList<>();
  private volatile boolean stalled;
  private volatile @Nullable Session session;
  private volatile String namespace = "/";

  TestClient(TransportContext context, ConnectionInfo info, PacketEncoder<Packet> encoder, JsonMapper mapper) {
    this.context = context;
    this.info = info;
    this.encoder = encoder;
    this.mapper = mapper;
  }

  void connect(String namespace, JsonNode auth) {
    this.namespace = namespace;
    Session opened = context.open(new ClientConnection(), info);
    this.session = opened;
    send(new Packet.Connect(namespace, auth));
    try {
      connected.get(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      opened.closed(DisconnectReason.TRANSPORT_CLOSE);
      answers.shutdown();
      if (e.getCause() instanceof ConnectionRejectedException rejected) {
        throw ConnectionRejectedException.of(rejected.refusal(), rejected.getMessage(), rejected.data());
      }
      throw new IllegalStateException("connect failed", e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer to CONNECT within " + Timeouts.EXPECTED);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting", e);
    }
  }

  /** The channel id the server gave this client. */
  public String id() {
    return connected.getNow("");
  }

  /** Whether the connection is open. */
  public boolean isConnected() {
    return connected.isDone() && !disconnected.isDone();
  }

  /** Sends an event without asking for an ack. */
  public void emit(String event, Object... args) {
    send(new Packet.Event(namespace, event, json(event, args), null, null));
  }

  /**
   * Sends an event and returns the server handler's ack arguments; errors with an
   * {@link AckTimeoutException} after {@link Timeouts#EXPECTED}, or a {@link ChannelClosedException}
   * if the connection closes first.
   */
  public Mono<List<JsonNode>> emitWithAck(String event, Object... args) {
    List<JsonNode> json = json(event, args);
    Sinks.One<List<JsonNode>> sink = Sinks.one();
    long id = pendingAcks.add(sink, Timeouts.EXPECTED,
        (task, delay) -> Schedulers.parallel().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS)::dispose,
        timedOut -> timedOut.tryEmitError(new AckTimeoutException(event, Timeouts.EXPECTED)));
    try {
      send(new Packet.Event(namespace, event, json, id, null));
    } catch (RuntimeException e) {
      pendingAcks.settle(id);
      throw e;
    }
    return sink.asMono();
  }

  /** Answers every server {@code emitWithAck} of {@code event} with what {@code responder} returns. */
  public TestClient respond(String event, Function<List<JsonNode>, Object[]> responder) {
    responders.put(event, Objects.requireNonNull(responder, "responder"));
    return this;
  }

  /** Sends an ACK packet for an event received with an ack id. */
  public void ack(long ackId, Object... args) {
    send(new Packet.Ack(namespace, ackId, json("ack " + ackId, args)));
  }

  /** Sends a raw packet, bypassing every check (for protocol-violation tests). */
  public void sendRaw(Packet packet) {
    send(packet);
  }

  /**
   * The next event received, waiting up to {@link Timeouts#EXPECTED}.
   *
   * @throws AssertionError if none arrives in time
   */
  public ReceivedEvent next() {
    return next(Timeouts.EXPECTED);
  }

  /** The next event received, waiting up to {@code timeout}. */
  public ReceivedEvent next(Duration timeout) {
    try {
      ReceivedEvent event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (event == null) {
        throw new AssertionError("no event within " + timeout.toMillis() + " ms");
      }
      return event;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The next {@code count} events. */
  public List<ReceivedEvent> next(int count) {
    List<ReceivedEvent> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(next());
    }
    return out;
  }

  /** Asserts nothing arrives within {@link Timeouts#UNEXPECTED}. */
  public void assertNoMoreEvents() {
    try {
      ReceivedEvent event = events.poll(Timeouts.UNEXPECTED.toMillis(), TimeUnit.MILLISECONDS);
      if (event != null) {
        throw new AssertionError("unexpected event: " + event);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * Asserts that every event received so far has been taken, without waiting: for the end of a test (or an
   * {@code @AfterEach}), after a marker event has shown that everything sent before it has arrived.
   *
   * @throws AssertionError naming the events left over
   */
  public void assertExhausted() {
    List<ReceivedEvent> left = new ArrayList<>(events);
    if (!left.isEmpty()) {
      throw new AssertionError(left.size() + " event(s) received and never taken: " + left);
    }
  }

  /** Events received and not yet taken. */
  public int pendingEvents() {
    return events.size();
  }

  /** Stops completing the server's writes, as a client that stopped reading. */
  public void stall() {
    stalled = true;
  }

  /** Completes the held writes and reads normally again. */
  public void resume() {
    List<Runnable> held;
    synchronized (stalledWrites) {
      stalled = false;
      held = new ArrayList<>(stalledWrites);
      stalledWrites.clear();
    }
    held.forEach(Runnable::run);
  }

  /** Waits for the connection to close and returns why. */
  public DisconnectReason awaitDisconnect() {
    try {
      return disconnected.get(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("still connected after " + Timeouts.EXPECTED.toMillis() + " ms");
    } catch (ExecutionException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Leaves the namespace (a DISCONNECT packet), then closes the connection and ends the answering thread. */
  @Override
  public void close() {
    if (!disconnected.isDone() && session != null) {
      send(new Packet.Disconnect(namespace));
      drop();
    }
    answers.shutdown();
  }

  /** Drops the connection without a word, as a network failure does. */
  public void drop() {
    Session current = session;
    if (current != null && disconnected.complete(DisconnectReason.TRANSPORT_CLOSE)) {
      current.closed(DisconnectReason.TRANSPORT_CLOSE);
      failPending(DisconnectReason.TRANSPORT_CLOSE);
    }
    answers.shutdown();
  }

  /** Answers the server's ack, unless the connection has closed meanwhile: then the server has failed it. */
  private void answer(long ackId, Object[] reply) {
    try {
      ack(ackId, reply);
    } catch (IllegalStateException e) {
      // Not connected any more.
    }
  }

  /** The arguments as the engine and the Java client convert them: {@link JsonArguments#toJson}. */
  private List<JsonNode> json(String event, Object[] args) {
    return JsonArguments.toJson(mapper, event, args);
  }

  private void send(Packet packet) {
    Session current = session;
    if (current == null || disconnected.isDone()) {
      throw new IllegalStateException("the client is not connected");
    }
    synchronized (sendLock) {
      current.receive(packet);
    }
  }

  private void failPending(DisconnectReason reason) {
    pendingAcks.failAll(sink -> sink.tryEmitError(new ChannelClosedException(id().isEmpty() ? "?" : id(), reason)));
  }

  private void onPacket(Packet packet) {
    if (packet instanceof Packet.Connect connect) {
      JsonNode sid = connect.data() == null ? null : connect.data().get("sid");
      connected.complete(sid == null ? "" : sid.asString());
    } else if (packet instanceof Packet.ConnectError error) {
      connected.completeExceptionally(ConnectionRejectedException.of(error.refusal(), error.message(), error.data()));
    } else if (packet instanceof Packet.Event event) {
      Function<List<JsonNode>, Object[]> responder = responders.get(event.name());
      if (responder != null && event.ackId() != null) {
        Object[] reply = responder.apply(event.args());
        long ackId = event.ackId();
        try {
          // Off the server's write path, which delivered this event.
          answers.execute(() -> answer(ackId, reply));
        } catch (RejectedExecutionException e) {
          // Closed: the server's ack fails with the connection.
        }
      } else {
        events.add(new ReceivedEvent(event.name(), event.args(), event.messageId(), event.ackId()));
      }
    } else if (packet instanceof Packet.Ack ack) {
      Sinks.One<List<JsonNode>> sink = pendingAcks.settle(ack.id());
      if (sink != null) {
        sink.tryEmitValue(ack.args());
      }
    } else if (packet instanceof Packet.Disconnect) {
      if (disconnected.complete(DisconnectReason.SERVER_NAMESPACE_DISCONNECT)) {
        failPending(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
      }
    }
  }

  /** The server's side of the in-process connection. */
  private final class ClientConnection implements Connection {
    @Override
    public void write(List<Outgoing> batch, WriteCallback done) {
      Runnable delivery = () -> {
        for (Outgoing outgoing : batch) {
          onPacket(outgoing.encoded(encoder));
        }
        done.written();
      };
      synchronized (stalledWrites) {
        if (stalled) {
          stalledWrites.add(delivery);
          return;
        }
      }
      delivery.run();
    }

    @Override
    public void close(DisconnectReason reason) {
      Session current = session;
      disconnected.complete(reason);
      failPending(reason);
      answers.shutdown();
      if (current != null) {
        current.closed(reason);
      }
    }
  }
}
