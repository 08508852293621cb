package dev.parley.mongo.embedded;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import java.net.InetSocketAddress;

/**
 * A MongoDB in this JVM, in memory, with change streams, on a loopback port: what a demo or a test needs to
 * run Parley's MongoDB store with no database installed. It is mongo-java-server (memory backend, its oplog
 * on) with one change of behaviour: a change stream with nothing new waits for the next write (up to 250 ms)
 * before it answers, as {@code mongod} does, instead of having the driver ask again at once (measured with two
 * idle change streams: 5 % of a core, against 176 % for the plain memory backend).
 *
 * <pre>{@code
 * try (EmbeddedMongo mongo = EmbeddedMongo.start()) {
 *   MongoStore store = new MongoStore(MongoStoreConfig.builder().connectionString(mongo.connectionString()).build());
 *   ...
 * }
 * }</pre>
 *
 * <p>Not for production: the data lives in this JVM's heap and goes with it, nothing bounds it, and it speaks
 * the subset of MongoDB that mongo-java-server implements (enough for Parley's store and collection feeds).
 * Each connection a client opens holds one of its worker threads while a change stream waits. Thread-safe.
 */
public final class EmbeddedMongo implements AutoCloseable {
  private static final int WORKER_THREADS = 64;

  private final MongoServer server;
  private final InetSocketAddress address;

  private EmbeddedMongo(MongoServer server) {
    this.server = server;
    this.address = server.getLocalAddress();
  }

  /** Starts one on 127.0.0.1 on a free port. */
  public static EmbeddedMongo start() {
    return start(0);
  }

  /**
   * Starts one on 127.0.0.1.
   *
   * @param port the port, or 0 for a free one
   * @throws IllegalArgumentException if the port is out of range
   * @throws IllegalStateException if the port cannot be bound (taken, not allowed)
   */
  public static EmbeddedMongo start(int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0..65535: " + port);
    }
    AwaitingMemoryBackend backend = new AwaitingMemoryBackend();
    backend.version(ServerVersion.MONGO_5_0);
    backend.enableOplog();
    MongoServer server = new MongoServer(backend);
    try {
      server.bind(new InetSocketAddress("127.0.0.1", port), 1, WORKER_THREADS);
    } catch (Exception e) {
      // Netty's bind failure arrives as an undeclared BindException.
      server.shutdownNow();
      throw new IllegalStateException("the embedded MongoDB cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    return new EmbeddedMongo(server);
  }

  /** Where it listens. */
  public InetSocketAddress address() {
    return address;
  }

  /** A connection string for it: {@code mongodb://127.0.0.1:<port>/}. */
  public String connectionString() {
    return "mongodb://127.0.0.1:" + address.getPort() + "/";
  }

  /** Stops it and drops its data; idempotent. */
  @Override
  public void close() {
    server.shutdownNow();
  }

  @Override
  public String toString() {
    return "EmbeddedMongo[" + connectionString() + "]";
  }
}
