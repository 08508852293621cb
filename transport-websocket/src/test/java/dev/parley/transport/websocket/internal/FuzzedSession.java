package dev.parley.transport.websocket.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServerConfig;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.protocol.socketio.SocketIoCodec;
import dev.parley.spi.Admission;
import dev.parley.spi.Connection;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Inbound;
import dev.parley.spi.Outgoing;
import dev.parley.spi.Session;
import dev.parley.spi.TransportContext;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The engine's side of one Engine.IO session, for the fuzz tests of its framing: records the packets the
 * transport hands over and the reason it closes for, admits every packet whose estimated cost fits a
 * connection's default inbound budget (1 MiB) and refuses a larger one as too large, as the engine does. Not
 * the engine: no handlers, no acks, nothing sent back but the transport's own control frames.
 */
final class FuzzedSession implements Session, Connection {
  /** The reasons a client's input may close a session for; TRANSPORT_ERROR (1011) is the server failing. */
  static final Set<DisconnectReason> CLIENT_REASONS = Set.of(DisconnectReason.PARSE_ERROR,
      DisconnectReason.TRANSPORT_CLOSE, DisconnectReason.MESSAGE_TOO_LARGE);
  static final JsonMapper MAPPER = JsonMapper.builder().build();
  static final SocketIoCodec CODEC = new SocketIoCodec(MAPPER);
  static final WebSocketTransportConfig CONFIG = WebSocketTransportConfig.defaults();
  private static final long BUDGET = 1024 * 1024;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  // Daemon timers: a heartbeat or attachment deadline is scheduled, never reached within one input.
  private static final Scheduler TIMERS = Schedulers.newSingle("fuzz-timers", true);
  static final TransportContext CONTEXT = new TransportContext() {
    @Override
    public ChatServerConfig config() {
      return ChatServerConfig.defaults();
    }

    @Override
    public JsonMapper jsonMapper() {
      return MAPPER;
    }

    @Override
    public Scheduler scheduler() {
      return TIMERS;
    }

    @Override
    public Session open(Connection connection, ConnectionInfo info) {
      throw new UnsupportedOperationException("one session per input, made by the test");
    }

    @Override
    public Optional<Admission> admit(String remoteIp) {
      return Optional.empty();
    }

    @Override
    public Session open(Connection connection, ConnectionInfo info, Admission admission) {
      throw new UnsupportedOperationException("one session per input, made by the test");
    }
  };
  static final Heartbeats HEARTBEATS = new Heartbeats(CONTEXT.scheduler(), CONFIG.pingInterval().toMillis(),
      CONFIG.pingTimeout().toMillis());

  private final List<Packet> received = new ArrayList<>();
  private final List<String> controls = new ArrayList<>();
  private @Nullable DisconnectReason closed;

  /** What the transport handed to the engine, in order. */
  List<Packet> received() {
    return received;
  }

  /** The reason the transport closed for, or null while open. */
  @Nullable DisconnectReason closed() {
    return closed;
  }

  /**
   * Checks what a client's input may do: close with a reason of the client's making, never a server error,
   * and hand over only packets the server can send on again, even wrapped by an application.
   */
  void check(String input) {
    assertThat(closed == null || CLIENT_REASONS.contains(closed)).as("closed with %s after %s", closed, input)
        .isTrue();
    for (Packet packet : received) {
      assertThat(packet.namespace()).startsWith("/");
      if (packet instanceof Packet.Event event) {
        if (event.ackId() != null) {
          assertThat(event.ackId()).isNotNegative();
        }
        ArrayNode args = NODES.arrayNode();
        event.args().forEach(args::add);
        ObjectNode wrapped = NODES.objectNode();
        wrapped.set("from", NODES.objectNode().set("args", args));
        CODEC.encode(new Packet.Event("/", "relay", List.of(wrapped), 1L, null));
      } else if (packet instanceof Packet.Ack ack) {
        assertThat(ack.id()).isNotNegative();
        CODEC.encode(ack);
      }
    }
  }

  // ---- Session ----

  @Override
  public String id() {
    return "fuzzed";
  }

  @Override
  public Inbound admit(String namespace, boolean connect, @Nullable Long ackId, long cost) {
    return new Budget(cost);
  }

  @Override
  public Inbound hold() {
    return new Budget(0);
  }

  @Override
  public void receive(Packet packet, @Nullable Inbound admitted) {
    received.add(packet);
  }

  @Override
  public boolean acknowledge(Packet.Ack ack) {
    return false;
  }

  @Override
  public boolean sendControl(String frame) {
    controls.add(frame);
    return true;
  }

  @Override
  public Mono<List<JsonNode>> request(String namespace, String event, List<JsonNode> args, boolean awaitLateAck) {
    return Mono.empty();
  }

  @Override
  public Mono<List<JsonNode>> request(String namespace, String event, List<JsonNode> args, boolean awaitLateAck,
                                      Inbound admitted) {
    return Mono.empty();
  }

  @Override
  public void closed(DisconnectReason reason) {
    if (closed == null) {
      closed = reason;
    }
  }

  // ---- Connection (the WebSocket's side) ----

  @Override
  public void write(List<Outgoing> batch, WriteCallback done) {
    done.written();
  }

  @Override
  public void close(DisconnectReason reason) {
    closed(reason);
  }

  /** A packet's share of the inbound budget: refused as too large past it. */
  private static final class Budget implements Inbound {
    private long held;

    Budget(long cost) {
      this.held = cost;
    }

    @Override
    public @Nullable Refusal refusal() {
      return held > BUDGET ? Refusal.TOO_LARGE : null;
    }

    @Override
    public boolean grow(long bytes) {
      held += bytes;
      return held <= BUDGET;
    }

    @Override
    public void cancel() {
      held = 0;
    }
  }
}
