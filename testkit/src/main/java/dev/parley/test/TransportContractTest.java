package dev.parley.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.Namespace;
import dev.parley.Replay;
import dev.parley.Room;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.protocol.DisconnectReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The contract every transport must pass, seen from a real client of that transport: order per channel,
 * acks both ways, binary arguments, namespaces, disconnect reasons, the event rate limit, the hand-over
 * from a room's history to its live posts on a join and, where the client can stop reading, the
 * slow-consumer cut-off.
 *
 * <p>Extend it in the transport's own tests, say how to add the transport to a server and how to connect
 * a client of it:
 *
 * <pre>{@code
 * class WebSocketTransportContractTest extends TransportContractTest {
 *   @Override
 *   protected ChatServer.Builder configure(ChatServer.Builder builder) {
 *     return builder.host(new JettyHost()).transport(new WebSocketTransport(config))
 *         .config(c -> c.bindAddress("127.0.0.1").port(0));
 *   }
 *
 *   @Override
 *   protected ContractClient connect(ChatServer server, String namespace, JsonNode auth) {
 *     return new MyClientAdapter(server.address().orElseThrow(), namespace, auth);
 *   }
 * }
 * }</pre>
 *
 * <p>Each test builds a new server from {@link #configure(ChatServer.Builder)}, adds the contract's own
 * namespaces ({@code "/"} and {@code "/admin"}), handlers and, for some tests, limits, starts it, and
 * closes its clients and then the server afterwards. The server's handlers are:
 * {@code echo} acks its arguments; {@code count} records its first argument (an int) in the channel's
 * log; {@code emitMany} emits {@code seq} with {@code 0 .. n-1} for its argument {@code n};
 * {@code ask} asks the client {@code question} with an ack, with its first argument, and emits
 * {@code answer} with the reply's first argument; {@code inspect} acks whether its first argument arrived
 * as binary; {@code whereami} acks the channel's namespace; {@code kick} disconnects the channel.
 *
 * <p>The server emits only the events named in {@link #SERVER_EVENTS}, always with one argument, so that
 * a client that can only subscribe to named events, or that carries one value per event (as SSE does),
 * fits the contract.
 */
public abstract class TransportContractTest {
  /** How long one expected step may take. */
  protected static final Duration TIMEOUT = Timeouts.EXPECTED;

  /**
   * Every event name the contract's server sends to clients; a {@link ContractClient} that cannot receive
   * all events must at least subscribe to these.
   */
  public static final List<String> SERVER_EVENTS = List.of("seq", "question", "answer", "news", "blob");

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final List<ContractClient> clients = new ArrayList<>();
  private final Map<String, CompletableFuture<Channel>> channels = new ConcurrentHashMap<>();
  private final Map<String, BlockingQueue<Integer>> counted = new ConcurrentHashMap<>();
  private final AtomicInteger handled = new AtomicInteger();
  private @Nullable ChatServer server;

  /**
   * A client of the transport under test, connected to one namespace of a server. Implementations adapt
   * the transport's real client (a Socket.IO client, an SSE client) to what the contract needs. Every
   * method may be called from any thread, also while events arrive.
   */
  public interface ContractClient extends AutoCloseable {

    /**
     * The id the server gave this connection in its namespace: the id of the server's {@link Channel}.
     *
     * @return the channel id
     */
    String id();

    /**
     * Sends an event without asking for an ack. Does not block on delivery; events of one client reach
     * the server in the order of the calls.
     *
     * @param event the event name
     * @param args JSON-serialisable values, {@link JsonNode}s or {@code byte[]}
     * @throws IllegalStateException if the client is not connected
     */
    void emit(String event, Object... args);

    /**
     * Sends an event asking for the server handler's ack.
     *
     * @param event the event name
     * @param args as for {@link #emit}
     * @return the ack's arguments; errors if the ack does not come within {@link Timeouts#EXPECTED} or
     *     the connection ends first
     * @throws IllegalStateException if the client is not connected
     */
    Mono<List<JsonNode>> emitWithAck(String event, Object... args);

    /**
     * Answers every server {@code emitWithAck} of {@code event} with what {@code responder} returns for its
     * arguments, instead of recording the event. The responder may run on a client thread.
     *
     * @param event the event name
     * @param responder the arguments of the ack, given the event's arguments
     */
    void respond(String event, Function<List<JsonNode>, Object[]> responder);

    /**
     * The next event received and not yet taken (one not answered by a {@link #respond} responder),
     * waiting up to {@code timeout}; events come out in arrival order.
     *
     * @param timeout how long to wait
     * @return the event, or null if none arrived in time
     */
    @Nullable ReceivedEvent next(Duration timeout);

    /**
     * Waits for the connection to end, without reconnecting, and says why.
     *
     * @param timeout how long to wait
     * @return the reason the client saw
     * @throws AssertionError if still connected after {@code timeout}
     */
    DisconnectReason awaitDisconnect(Duration timeout);

    /**
     * Stops reading what the server sends, as a client whose network or consumer is stuck, if the client
     * can; the server's writes to it then stay unfinished.
     *
     * @return true if the client stalled; false (the default) if it cannot, which skips the tests that need it
     */
    default boolean stall() {
      return false;
    }

    /**
     * Leaves the namespace as an application closing its client does, and releases the client's
     * resources. Idempotent; must not throw when the connection is already gone.
     */
    @Override
    void close();
  }

  /**
   * Adds the transport under test to {@code builder}, with a host if it needs one (listening on
   * 127.0.0.1 only), and short intervals where useful. The suite adds its namespaces, handlers and any
   * config changes of the test afterwards, on top of the config set here.
   *
   * @param builder a new builder
   * @return the builder
   */
  protected abstract ChatServer.Builder configure(ChatServer.Builder builder);

  /**
   * Connects a real client of the transport to {@code namespace} of the running {@code server}, and
   * waits until the server accepted it. The client must not reconnect by itself.
   *
   * @param server the started server
   * @param namespace the namespace to join
   * @param auth the handshake's auth payload (an empty object in the contract's tests)
   * @return the connected client; the suite closes it after the test
   * @throws ConnectionRejectedException if the server refused the connection (an unknown namespace)
   */
  protected abstract ContractClient connect(ChatServer server, String namespace, JsonNode auth);

  /**
   * Whether {@code byte[]} arguments travel as binary, so that the other side gets a binary JSON node.
   * Transports without binary frames (SSE: JSON text only, byte arrays become base64 strings) return
   * false, which skips the test that asks for binary nodes; the bytes must still round-trip.
   */
  protected boolean supportsBinary() {
    return true;
  }

  /**
   * The reason the server's channel sees when the client {@linkplain ContractClient#close() closes}:
   * {@link DisconnectReason#CLIENT_NAMESPACE_DISCONNECT} for a transport whose client says it leaves.
   * A transport whose client can only drop its connection (no leave message on the wire) overrides it with
   * {@link DisconnectReason#TRANSPORT_CLOSE}.
   */
  protected DisconnectReason clientCloseReason() {
    return DisconnectReason.CLIENT_NAMESPACE_DISCONNECT;
  }

  @AfterEach
  void closeAll() {
    try {
      for (int i = clients.size() - 1; i >= 0; i--) {
        try {
          clients.get(i).close();
        } catch (RuntimeException ignored) {
          // the test may have closed it already
        }
      }
    } finally {
      clients.clear();
      ChatServer current = server;
      server = null;
      if (current != null) {
        current.close();
      }
    }
  }

  // ---- the server and its clients ----

  /** Starts the contract's server with the transport's configuration. */
  private ChatServer start() {
    return start(c -> { });
  }

  /** Starts the contract's server with the transport's configuration, then {@code limits}. */
  private ChatServer start(Consumer<ChatServerConfig.Builder> limits) {
    ChatServer.Builder builder = configure(ChatServer.builder()).config(limits);
    builder.namespace("/", this::setUp).namespace("/admin", this::setUp);
    ChatServer started = builder.start();
    server = started;
    return started;
  }

  private void setUp(Namespace namespace) {
    namespace.onConnection(this::connected);
  }

  private void connected(Channel channel) {
    BlockingQueue<Integer> log = counted.computeIfAbsent(channel.id(), k -> new LinkedBlockingQueue<>());
    channel.on("echo", (ch, event) -> event.ack(event.args().toArray()));
    channel.on("count", (ch, event) -> {
      handled.incrementAndGet();
      log.add(event.arg(0).asInt());
    });
    channel.on("emitMany", (ch, event) -> {
      int n = event.arg(0).asInt();
      for (int i = 0; i < n; i++) {
        ch.emit("seq", i);
      }
    });
    channel.on("ask", (ch, event) -> ch.emitWithAck("question", event.arg(0)).subscribe(
        reply -> ch.emit("answer", reply.arg(0)),
        error -> ch.emit("answer", "error: " + error)));
    channel.on("inspect", (ch, event) -> event.ack(event.arg(0).isBinary()));
    channel.on("whereami", (ch, event) -> event.ack(ch.namespace().name()));
    channel.on("kick", (ch, event) -> ch.disconnect());
    slot(channel.id()).complete(channel);
  }

  private CompletableFuture<Channel> slot(String id) {
    return channels.computeIfAbsent(id, k -> new CompletableFuture<>());
  }

  /** Connects a client and closes it after the test. */
  private ContractClient client(ChatServer on, String namespace) {
    ContractClient client = connect(on, namespace, JSON.objectNode());
    clients.add(client);
    return client;
  }

  /** The server's channel of {@code client}, once its connection handlers have run. */
  private Channel channelOf(ContractClient client) {
    try {
      return slot(client.id()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no channel " + client.id() + " connected within " + TIMEOUT);
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static ReceivedEvent next(ContractClient client) {
    ReceivedEvent event = client.next(TIMEOUT);
    if (event == null) {
      throw new AssertionError("no event within " + TIMEOUT.toMillis() + " ms");
    }
    return event;
  }

  private static void assertNoMoreEvents(ContractClient client) {
    ReceivedEvent event = client.next(Timeouts.UNEXPECTED);
    assertThat(event).as("unexpected event").isNull();
  }

  private static List<JsonNode> ack(ContractClient client, String event, Object... args) {
    List<JsonNode> reply = client.emitWithAck(event, args).block(TIMEOUT);
    assertThat(reply).as("ack of " + event).isNotNull();
    return reply;
  }

  private List<Integer> countedBy(ContractClient client, int expected) throws InterruptedException {
    BlockingQueue<Integer> log = counted.computeIfAbsent(client.id(), k -> new LinkedBlockingQueue<>());
    List<Integer> out = new ArrayList<>(expected);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (out.size() < expected) {
      Integer n = log.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (n == null) {
        throw new AssertionError("the server handled " + out.size() + " of " + expected + " events: " + out);
      }
      out.add(n);
    }
    return out;
  }

  private static List<Integer> upTo(int n) {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  // ---- the contract ----

  @Nested
  @DisplayName("order")
  class Order {
    @Test
    @DisplayName("events the server emits to a channel arrive in order")
    void serverEventsArriveInOrder() {
      ContractClient client = client(start(), "/");
      int total = 200;
      client.emit("emitMany", total);

      List<Integer> received = new ArrayList<>(total);
      for (int i = 0; i < total; i++) {
        ReceivedEvent event = next(client);
        assertThat(event.name()).isEqualTo("seq");
        received.add(event.arg(0).asInt());
      }
      assertThat(received).isEqualTo(upTo(total));
      assertNoMoreEvents(client);
    }

    @Test
    @DisplayName("events a client emits are handled in order")
    void clientEventsAreHandledInOrder() throws InterruptedException {
      ContractClient client = client(start(), "/");
      int total = 200;
      for (int i = 0; i < total; i++) {
        client.emit("count", i);
      }
      assertThat(countedBy(client, total)).isEqualTo(upTo(total));
    }

    @Test
    @DisplayName("the order of one client does not depend on another's")
    void twoClientsKeepTheirOwnOrder() throws InterruptedException {
      ChatServer started = start();
      ContractClient a = client(started, "/");
      ContractClient b = client(started, "/");
      int total = 100;
      for (int i = 0; i < total; i++) {
        a.emit("count", i);
        b.emit("count", total - 1 - i);
      }
      assertThat(countedBy(a, total)).isEqualTo(upTo(total));
      List<Integer> reversed = upTo(total);
      Collections.reverse(reversed);
      assertThat(countedBy(b, total)).isEqualTo(reversed);
    }
  }

  @Nested
  @DisplayName("acks")
  class Acks {
    @Test
    @DisplayName("a client's emitWithAck gets the handler's ack with its arguments")
    void clientAckCarriesArguments() {
      ContractClient client = client(start(), "/");
      List<JsonNode> reply = ack(client, "echo", "text", 42, Map.of("k", "v"), List.of(1, 2));

      assertThat(reply).hasSize(4);
      assertThat(reply.get(0).asString()).isEqualTo("text");
      assertThat(reply.get(1).asInt()).isEqualTo(42);
      assertThat(reply.get(2).path("k").asString()).isEqualTo("v");
      assertThat(reply.get(3).isArray()).isTrue();
      assertThat(reply.get(3).get(1).asInt()).isEqualTo(2);
    }

    @Test
    @DisplayName("each of many concurrent acks answers its own emit")
    void concurrentAcksMatchTheirEmits() {
      ContractClient client = client(start(), "/");
      int total = 50;
      List<Mono<List<JsonNode>>> replies = new ArrayList<>(total);
      for (int i = 0; i < total; i++) {
        replies.add(client.emitWithAck("echo", "n" + i));
      }
      for (int i = 0; i < total; i++) {
        List<JsonNode> reply = replies.get(i).block(TIMEOUT);
        assertThat(reply).isNotNull();
        assertThat(reply.get(0).asString()).isEqualTo("n" + i);
      }
    }

    @Test
    @DisplayName("the server's emitWithAck gets the client's answer")
    void serverAckIsAnswered() {
      ContractClient client = client(start(), "/");
      client.respond("question", args -> new Object[] {"re: " + args.get(0).asString()});

      client.emit("ask", "why");

      ReceivedEvent answer = next(client);
      assertThat(answer.name()).isEqualTo("answer");
      assertThat(answer.arg(0).asString()).isEqualTo("re: why");
    }

    @Test
    @DisplayName("the server's emitWithAck can be answered from outside the client's threads")
    void serverAckCanBeAnsweredThroughTheChannel() {
      ContractClient client = client(start(), "/");
      Channel channel = channelOf(client);
      client.respond("question", args -> new Object[] {args.get(0).asInt() + 1});

      StepVerifier.create(channel.emitWithAck("question", 41).map(reply -> reply.arg(0).asInt()))
          .expectNext(42)
          .expectComplete()
          .verify(TIMEOUT);
    }
  }

  @Nested
  @DisplayName("binary")
  class Binary {
    private final byte[] bytes = {0, 1, 2, (byte) 0x7f, (byte) 0x80, (byte) 0xff, 'h', 'i'};

    @Test
    @DisplayName("a byte[] argument round-trips")
    void byteArrayRoundTrips() {
      ContractClient client = client(start(), "/");
      List<JsonNode> reply = ack(client, "echo", (Object) bytes);

      assertThat(reply).hasSize(1);
      assertThat(reply.get(0).binaryValue()).isEqualTo(bytes);
    }

    @Test
    @DisplayName("a byte[] argument arrives as binary both ways (transports with binary frames)")
    void byteArrayArrivesAsBinary() {
      assumeTrue(supportsBinary(), "the transport carries byte arrays as text");
      ContractClient client = client(start(), "/");

      assertThat(ack(client, "inspect", (Object) bytes).get(0).asBoolean())
          .as("the server got a binary node").isTrue();
      channelOf(client).emit("blob", (Object) bytes);
      ReceivedEvent blob = next(client);
      assertThat(blob.name()).isEqualTo("blob");
      assertThat(blob.arg(0).isBinary()).as("the client got a binary node").isTrue();
      assertThat(blob.arg(0).binaryValue()).isEqualTo(bytes);
    }
  }

  @Nested
  @DisplayName("namespaces")
  class Namespaces {
    @Test
    @DisplayName("a client gets only its own namespace's events")
    void clientGetsOnlyItsNamespacesEvents() {
      ChatServer started = start();
      ContractClient admin = client(started, "/admin");
      ContractClient lobby = client(started, "/");
      assertThat(ack(admin, "whereami").get(0).asString()).isEqualTo("/admin");
      assertThat(ack(lobby, "whereami").get(0).asString()).isEqualTo("/");

      started.namespace("/admin").emit("news", "for admins").block(TIMEOUT);
      started.namespace("/").emit("news", "for everyone").block(TIMEOUT);

      ReceivedEvent adminNews = next(admin);
      assertThat(adminNews.name()).isEqualTo("news");
      assertThat(adminNews.arg(0).asString()).isEqualTo("for admins");
      ReceivedEvent lobbyNews = next(lobby);
      assertThat(lobbyNews.name()).isEqualTo("news");
      assertThat(lobbyNews.arg(0).asString()).isEqualTo("for everyone");
      assertNoMoreEvents(admin);
      assertNoMoreEvents(lobby);
    }

    @Test
    @DisplayName("an unknown namespace is refused")
    void unknownNamespaceIsRefused() {
      ChatServer started = start();
      assertThatThrownBy(() -> client(started, "/nowhere")).isInstanceOf(ConnectionRejectedException.class);
      assertThat(started.namespace("/").channels()).isEmpty();
    }
  }

  @Nested
  @DisplayName("disconnects")
  class Disconnects {
    @Test
    @DisplayName("the server disconnecting a channel is a server disconnect for the client")
    void serverDisconnectReachesClient() {
      ContractClient client = client(start(), "/");
      Channel channel = channelOf(client);

      channel.disconnect();

      assertThat(client.awaitDisconnect(TIMEOUT)).isEqualTo(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
      StepVerifier.create(channel.onDisconnect())
          .expectNext(DisconnectReason.SERVER_NAMESPACE_DISCONNECT)
          .expectComplete()
          .verify(TIMEOUT);
    }

    @Test
    @DisplayName("a handler disconnecting its channel is a server disconnect for the client")
    void kickFromHandlerReachesClient() {
      ContractClient client = client(start(), "/");

      client.emit("kick");

      assertThat(client.awaitDisconnect(TIMEOUT)).isEqualTo(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    }

    @Test
    @DisplayName("a client closing gives its channel the transport's client-close reason")
    void clientCloseReachesChannel() {
      ChatServer started = start();
      ContractClient client = client(started, "/");
      Channel channel = channelOf(client);

      client.close();

      StepVerifier.create(channel.onDisconnect())
          .expectNext(clientCloseReason())
          .expectComplete()
          .verify(TIMEOUT);
      assertThat(channel.connected()).isFalse();
      assertThat(started.namespace("/").channel(channel.id())).isEmpty();
    }
  }

  @Nested
  @DisplayName("limits")
  class Limits {
    @Test
    @DisplayName("a client over the event rate limit is disconnected as rate limited")
    void rateLimitDisconnects() {
      ChatServer started = start(c -> c.maxEventsPerSecond(1).maxEventBurst(5).disconnectOnRateLimit(true));
      ContractClient client = client(started, "/");
      Channel channel = channelOf(client);

      int total = 30;
      int sent = 0;
      try {
        for (; sent < total && channel.connected(); sent++) {
          client.emit("count", sent);
        }
      } catch (IllegalStateException disconnected) {
        // the client noticed the disconnect before it sent everything
      }

      StepVerifier.create(channel.onDisconnect())
          .expectNext(DisconnectReason.RATE_LIMITED)
          .expectComplete()
          .verify(TIMEOUT);
      assertThat(client.awaitDisconnect(TIMEOUT)).isNotNull();
      assertThat(handled.get()).as("events handled").isLessThan(total).isLessThanOrEqualTo(5);
    }

    @Test
    @DisplayName("a client that stops reading is cut off as a slow consumer (clients that can stall)")
    void stalledClientIsCutOff() {
      ChatServer started = start(c -> c.outboundBufferSize(8));
      ContractClient client = client(started, "/");
      Channel channel = channelOf(client);
      assumeTrue(client.stall(), "the client cannot stop reading");

      for (int i = 0; i < 10_000 && channel.connected(); i++) {
        channel.emit("seq", i);
      }

      StepVerifier.create(channel.onDisconnect())
          .expectNext(DisconnectReason.SLOW_CONSUMER)
          .expectComplete()
          .verify(TIMEOUT);
      assertThat(client.awaitDisconnect(TIMEOUT)).isNotNull();
    }
  }

  @Nested
  @DisplayName("replay hand-over")
  class ReplayHandOver {
    @Test
    @DisplayName("a join with history hands over to live posts with nothing lost, repeated or reordered")
    void historyThenLivePostsArriveOnceInOrder() {
      ChatServer started = start();
      Room hall = started.room("hall");
      int before = 30;
      int during = 30;
      for (int i = 0; i < before; i++) {
        hall.post("news", i).block(TIMEOUT);
      }
      ContractClient client = client(started, "/");
      Channel channel = channelOf(client);

      // Posts race the join: the switch from stored history to the live feed must drop and repeat nothing.
      Mono<Void> posting = Flux.range(before, during).concatMap(i -> hall.post("news", i)).then();
      Mono.when(posting, channel.join("hall", Replay.last(before + during))).block(TIMEOUT);

      List<Integer> received = new ArrayList<>(before + during);
      for (int i = 0; i < before + during; i++) {
        ReceivedEvent event = next(client);
        assertThat(event.name()).isEqualTo("news");
        received.add(event.arg(0).asInt());
      }
      assertThat(received).isEqualTo(upTo(before + during));
      assertNoMoreEvents(client);
    }
  }
}
