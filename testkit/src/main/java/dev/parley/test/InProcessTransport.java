package dev.parley.test;

import dev.parley.error.ConnectionRejectedException;
import dev.parley.protocol.Packet;
import dev.parley.protocol.PacketEncoder;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A transport with no sockets: {@link TestClient}s connect to the server inside the test's JVM,
 * through the same engine paths as network clients (handshake, middleware, outbound buffer, acks).
 *
 * <pre>{@code
 * InProcessTransport transport = new InProcessTransport();
 * try (ChatServer server = ChatServer.builder().transport(transport).onConnection(...).start();
 *      TestClient client = transport.connect("/")) {
 *   client.emitWithAck("echo", "hi").block();
 * }
 * }</pre>
 *
 * <p>Its "wire format" is a deep copy of each packet, so a client never shares a JSON tree with the
 * server; {@link #encodeCount()} counts encodings, which shows a broadcast is encoded once.
 * Thread-safe.
 */
public final class InProcessTransport implements Transport {
  /** The transport's name. */
  public static final String NAME = "in-process";

  private final AtomicLong encodes = new AtomicLong();
  private final List<TestClient> clients = new ArrayList<>();
  private final PacketEncoder<Packet> encoder = packet -> {
    encodes.incrementAndGet();
    return copy(packet);
  };
  private volatile @Nullable TransportContext context;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean requiresHost() {
    return false;
  }

  @Override
  public Mono<Void> start(TransportContext context) {
    this.context = Objects.requireNonNull(context, "context");
    return Mono.empty();
  }

  @Override
  public Mono<Void> stop() {
    context = null;
    return Mono.empty();
  }

  /**
   * Connects a client to a namespace without auth and waits for the answer.
   *
   * @throws ConnectionRejectedException if middleware or the namespace refused it
   * @throws IllegalStateException if the server is not running
   */
  public TestClient connect(String namespace) {
    return connect(namespace, JsonNodeFactory.instance.objectNode());
  }

  /** As {@link #connect(String)}, with an auth payload. */
  public TestClient connect(String namespace, JsonNode auth) {
    return connect(ConnectionInfo.of(NAME, "127.0.0.1:0"), namespace, auth);
  }

  /** As {@link #connect(String)}, with the connection's headers, query and cookies. */
  public TestClient connect(ConnectionInfo info, String namespace, JsonNode auth) {
    TransportContext current = context;
    if (current == null) {
      throw new IllegalStateException("the in-process transport is not started");
    }
    TestClient client = new TestClient(current, info, encoder, current.jsonMapper());
    client.connect(namespace, auth);
    synchronized (clients) {
      clients.add(client);
    }
    return client;
  }

  /** Connection info with cookies, for middleware tests. */
  public static ConnectionInfo infoWithCookies(Map<String, String> cookies) {
    return new ConnectionInfo(NAME, "127.0.0.1:0", "/", Map.of(), Map.of(), cookies);
  }

  /** How many packet encodings this transport has made. */
  public long encodeCount() {
    return encodes.get();
  }

  private static Packet copy(Packet packet) {
    if (packet instanceof Packet.Event e) {
      return new Packet.Event(e.namespace(), e.name(), deepCopy(e.args()), e.ackId(), e.messageId());
    }
    if (packet instanceof Packet.Ack a) {
      return new Packet.Ack(a.namespace(), a.id(), deepCopy(a.args()));
    }
    return packet;
  }

  private static List<JsonNode> deepCopy(List<JsonNode> args) {
    List<JsonNode> out = new ArrayList<>(args.size());
    for (JsonNode arg : args) {
      out.add(arg.deepCopy());
    }
    return out;
  }
}
