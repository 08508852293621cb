package dev.parley.bench;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.parley.ChatServer;
import dev.parley.bench.jmh.HeadlessTransport;
import dev.parley.host.jetty.JettyHost;
import dev.parley.mongo.embedded.EmbeddedMongo;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.spi.Connection;
import dev.parley.spi.ConnectionInfo;
import dev.parley.spi.Outgoing;
import dev.parley.store.mongo.MongoStore;
import dev.parley.store.mongo.MongoStoreConfig;
import dev.parley.transport.sse.SseTransport;
import dev.parley.transport.sse.SseTransportConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cost of going between nodes on the MongoDB bus: nodes in this JVM, each with its own store and client on
 * one database (parley-mongo-embedded in this JVM, whose change streams wait for writes as mongod's do, or the
 * replica set named by
 * {@code PARLEY_MONGODB_URI}). Prints one line per figure:
 * <ul>
 *   <li>emits per second carried from one node to another (a window of 64 emits in flight on the bus);</li>
 *   <li>the latency of an emit from its call on one node to its write to a client of another, beside the same
 *       to a client of the emitting node (p50/p99, one emit every 5 ms);</li>
 *   <li>the latency of {@code fetchChannels} across three nodes of 100 channels each;</li>
 *   <li>the latency of an SSE POST (an {@code echo} acked by the handler) to the node that holds the stream and
 *       through the other node.</li>
 * </ul>
 *
 * <pre>java -cp parley-bench.jar dev.parley.bench.ClusterBench [emits] [samples]</pre>
 * Every loop is bounded in count and in time (a minute each at most).
 */
public final class ClusterBench {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final long STEP_NANOS = TimeUnit.SECONDS.toNanos(60);

  private ClusterBench() {
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int emits = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    String uri = System.getenv("PARLEY_MONGODB_URI");
    EmbeddedMongo inProcess = null;
    if (uri == null) {
      inProcess = EmbeddedMongo.start();
      uri = inProcess.connectionString();
    }
    MongoStoreConfig config = MongoStoreConfig.builder().connectionString(uri)
        .database("bench_cluster_" + System.nanoTime()).build();
    List<AutoCloseable> toClose = new ArrayList<>();
    try {
      List<Node> nodes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Node node = Node.start("node-" + i, config, uri);
        nodes.add(node);
        toClose.add(node);
      }
      awaitUntil(() -> nodes.stream().allMatch(n -> n.server.nodes().size() == 3), "the nodes know each other");
      System.out.println("mongodb: " + (inProcess != null ? "parley-mongo-embedded (in this JVM)" : "PARLEY_MONGODB_URI"));
      throughput(nodes.get(0), nodes.get(1), emits);
      latency(nodes.get(0), nodes.get(1), samples);
      fetch(nodes, samples);
      ssePosts(config, uri, samples, toClose);
    } finally {
      for (int i = toClose.size() - 1; i >= 0; i--) {
        toClose.get(i).close();
      }
      if (inProcess != null) {
        inProcess.close();
      }
    }
  }

  // ---- emits between two nodes ----

  private static void throughput(Node from, Node to, int emits) {
    Recorder sink = to.client("flood");
    Semaphore window = new Semaphore(64);
    long start = System.nanoTime();
    for (int i = 0; i < emits && System.nanoTime() - start < STEP_NANOS; i++) {
      acquire(window);
      from.server.to("flood").emit("tick", i).subscribe(v -> { }, e -> window.release(), window::release);
    }
    awaitUntil(() -> sink.count.get() >= emits, emits + " emits arrived on the other node");
    double seconds = (sink.lastNanos.get() - start) / 1e9;
    System.out.printf("cross-node emits: %d in %.2f s = %.0f emits/s carried from one node to another%n",
        emits, seconds, emits / seconds);
  }

  private static void latency(Node from, Node to, int samples) throws InterruptedException {
    Recorder remote = to.client("timed");
    Recorder local = from.client("timed");
    for (int i = 0; i < samples; i++) {
      from.server.to("timed").emit("at", System.nanoTime());
      TimeUnit.MILLISECONDS.sleep(5);
    }
    awaitUntil(() -> remote.count.get() >= samples && local.count.get() >= samples, "every timed emit arrived");
    print("emit latency, to a client of the emitting node", local.latencies());
    print("emit latency, to a client of another node", remote.latencies());
  }

  // ---- fetchChannels across three nodes ----

  private static void fetch(List<Node> nodes, int samples) {
    for (Node node : nodes) {
      for (int i = 0; i < 100; i++) {
        node.client("fetched");
      }
    }
    awaitUntil(() -> nodes.stream().allMatch(n -> n.server.room("fetched").members().size() == 100),
        "100 channels on each node");
    long[] nanos = new long[samples];
    for (int i = 0; i < samples; i++) {
      long start = System.nanoTime();
      int found = nodes.get(0).server.to("fetched").fetchChannels().block(Duration.ofSeconds(10)).size();
      nanos[i] = System.nanoTime() - start;
      if (found != 300) {
        throw new IllegalStateException("fetchChannels found " + found + " channels, not 300");
      }
    }
    print("fetchChannels across 3 nodes (300 channels)", nanos);
  }

  // ---- SSE posts, to the stream's node and through another ----

  private static void ssePosts(MongoStoreConfig config, String uri, int samples, List<AutoCloseable> toClose)
      throws Exception {
    ChatServer holder = sseNode("sse-holder", config, uri, toClose);
    ChatServer other = sseNode("sse-other", config, uri, toClose);
    awaitUntil(() -> holder.nodes().contains("sse-other") && other.nodes().contains("sse-holder"),
        "the SSE nodes know each other");
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI holderUrl = URI.create("http://127.0.0.1:" + holder.address().orElseThrow().getPort());
    URI otherUrl = URI.create("http://127.0.0.1:" + other.address().orElseThrow().getPort());
    CompletableFuture<HttpResponse<Stream<String>>> stream = http.sendAsync(HttpRequest.newBuilder(
        holderUrl.resolve("/sse/r")).header("Accept", "text/event-stream").GET().build(),
        HttpResponse.BodyHandlers.ofLines());
    JsonNode session = null;
    Iterator<String> lines = stream.get(10, TimeUnit.SECONDS).body().iterator();
    while (session == null && lines.hasNext()) {
      String line = lines.next();
      if (line.startsWith("data:") && line.contains("\"token\"")) {
        session = JSON.readTree(line.substring(5).strip());
      }
    }
    if (session == null) {
      throw new IllegalStateException("no parley:session event");
    }
    String query = "/sse/r?sid=" + session.path("session").asString();
    String token = session.path("token").asString();
    long[] direct = new long[samples];
    long[] relayed = new long[samples];
    for (int i = 0; i < samples; i++) {
      direct[i] = post(http, holderUrl.resolve(query), token);
      relayed[i] = post(http, otherUrl.resolve(query), token);
    }
    stream.cancel(true);
    print("SSE POST to the stream's node", direct);
    print("SSE POST through another node", relayed);
  }

  private static long post(HttpClient http, URI url, String token) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(url).header("Content-Type", "application/json")
        .header("X-Parley-Token", token).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString("{\"event\": \"echo\", \"args\": [1]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() != 200) {
      throw new IllegalStateException("POST " + url + ": " + answer.statusCode() + " " + answer.body());
    }
    return System.nanoTime() - start;
  }

  private static ChatServer sseNode(String id, MongoStoreConfig config, String uri, List<AutoCloseable> toClose) {
    MongoClient client = MongoClients.create(uri);
    toClose.add(client::close);
    ChatServer server = ChatServer.builder()
        .transport(new SseTransport(SseTransportConfig.defaults()))
        .host(new JettyHost())
        .store(new MongoStore(client, config))
        .config(c -> c.nodeId(id).bindAddress("127.0.0.1").port(0))
        .onConnection(channel -> channel.on("echo", (ch, event) -> event.ack(event.args().toArray())))
        .start();
    toClose.add(server::close);
    return server;
  }

  // ---- parts ----

  /** A node with a headless transport whose clients record what is written to them. */
  private static final class Node implements AutoCloseable {
    final ChatServer server;
    final HeadlessTransport transport;
    final MongoClient client;

    private Node(ChatServer server, HeadlessTransport transport, MongoClient client) {
      this.server = server;
      this.transport = transport;
      this.client = client;
    }

    static Node start(String id, MongoStoreConfig config, String uri) {
      MongoClient client = MongoClients.create(uri);
      HeadlessTransport transport = new HeadlessTransport();
      ChatServer server = ChatServer.builder().transport(transport).store(new MongoStore(client, config))
          .config(c -> c.nodeId(id).virtualThreads(false).maxEventsPerSecond(1_000_000).maxEventBurst(1_000_000))
          .onConnection(channel -> channel.join(channel.handshake().query("room").orElse("none")))
          .start();
      return new Node(server, transport, client);
    }

    /** A client in {@code room}, once its channel has joined it. */
    Recorder client(String room) {
      Recorder recorder = new Recorder();
      int before = server.room(room).members().size();
      transport.context.open(recorder, ConnectionInfo.http("bench", "local", "/", List.of(), name -> List.of(),
          java.util.Map.of("room", new String[] {room}))).receive(new Packet.Connect("/", null));
      awaitUntil(() -> server.room(room).members().size() > before, "a channel in " + room);
      return recorder;
    }

    @Override
    public void close() {
      server.close();
      client.close();
    }
  }

  /** A client's connection: counts events, and the latency of those that carry their send time. */
  private static final class Recorder implements Connection {
    final AtomicLong count = new AtomicLong();
    final AtomicLong lastNanos = new AtomicLong();
    final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();

    @Override
    public void write(List<Outgoing> batch, WriteCallback done) {
      long now = System.nanoTime();
      for (Outgoing outgoing : batch) {
        if (outgoing.packet() instanceof Packet.Event event) {
          if (event.name().equals("at")) {
            latencies.add(now - event.args().get(0).asLong());
          }
          count.incrementAndGet();
          lastNanos.set(now);
        }
      }
      done.written();
    }

    @Override
    public void close(DisconnectReason reason) {
    }

    long[] latencies() {
      return latencies.stream().mapToLong(Long::longValue).toArray();
    }
  }

  private static void print(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf("%s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d samples)%n", what,
        sorted[sorted.length / 2] / 1e6, sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]
            / 1e6, sorted[sorted.length - 1] / 1e6, sorted.length);
  }

  private static void acquire(Semaphore window) {
    try {
      if (!window.tryAcquire(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the bus took no emit for 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void awaitUntil(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + STEP_NANOS;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not within a minute: " + what);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
