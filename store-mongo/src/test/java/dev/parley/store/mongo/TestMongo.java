package dev.parley.store.mongo;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The MongoDB a test talks to, over TCP with the official reactive driver: the replica set named by
 * {@code PARLEY_MONGODB_URI} when that is set, else mongo-java-server in this JVM with its oplog on (for
 * change streams), bound to 127.0.0.1 on a free port. Each test gets fresh databases, dropped at close.
 */
final class TestMongo implements AutoCloseable {
  /** The environment variable naming a real MongoDB replica set to test against. */
  static final String URI_VARIABLE = "PARLEY_MONGODB_URI";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final int WORKER_THREADS = 256;

  private final @Nullable String realUri;
  private final @Nullable AwaitingMemoryBackend backend;
  private @Nullable MongoServer server;
  private @Nullable InetSocketAddress address;
  private @Nullable MongoClient client;
  private @Nullable MongoServer second;
  private final List<String> databases = new ArrayList<>();

  private TestMongo(@Nullable String realUri) {
    this.realUri = realUri;
    if (realUri == null) {
      backend = new AwaitingMemoryBackend();
      backend.version(ServerVersion.MONGO_5_0);
      backend.enableOplog();
      bind(new InetSocketAddress("127.0.0.1", 0));
    } else {
      backend = null;
    }
  }

  /** The real replica set if {@code PARLEY_MONGODB_URI} is set, else an in-process server. */
  static TestMongo start() {
    String uri = System.getenv(URI_VARIABLE);
    return new TestMongo(uri == null || uri.isBlank() ? null : uri.strip());
  }

  /** Always an in-process server: for tests that stop and restart the database. */
  static TestMongo inProcess() {
    return new TestMongo(null);
  }

  boolean isReal() {
    return realUri != null;
  }

  private void bind(InetSocketAddress where) {
    MongoServer started = new MongoServer(backend);
    started.bind(where, 1, WORKER_THREADS);
    server = started;
    address = started.getLocalAddress();
  }

  /** The connection string; in-process, with short timeouts so that failures show within a test. */
  String connectionString() {
    if (realUri != null) {
      return realUri;
    }
    return "mongodb://127.0.0.1:" + address.getPort()
        + "/?serverSelectionTimeoutMS=1500&connectTimeoutMS=1000&heartbeatFrequencyMS=500";
  }

  /** A new database name, dropped at {@link #close()}. */
  String newDatabase() {
    String name = "parley_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    databases.add(name);
    return name;
  }

  /** A config on a new database. */
  MongoStoreConfig.Builder config() {
    return MongoStoreConfig.builder().connectionString(connectionString()).database(newDatabase());
  }

  /** A client for the test's own reads and writes; closed at {@link #close()}. */
  MongoClient client() {
    if (client == null) {
      client = MongoClients.create(connectionString());
    }
    return client;
  }

  /** Stops the in-process server, dropping every connection, as a crashed mongod would. */
  void stopServer() {
    requireInProcess();
    MongoServer running = server;
    server = null;
    if (running != null) {
      running.shutdownNow();
    }
  }

  /** Starts the in-process server again on the same port, with the data it had. */
  void restartServer() {
    requireInProcess();
    if (server != null) {
      throw new IllegalStateException("the server is running");
    }
    bind(address);
  }

  /**
   * A second listener on the same data, on another port: while the main one is stopped, writers can
   * keep writing through it, as other members of a replica set stay reachable during one member's outage.
   */
  String secondConnectionString() {
    requireInProcess();
    if (second == null) {
      second = new MongoServer(backend);
      second.bind(new InetSocketAddress("127.0.0.1", 0), 1, WORKER_THREADS);
    }
    return "mongodb://127.0.0.1:" + second.getLocalAddress().getPort()
        + "/?serverSelectionTimeoutMS=1500&connectTimeoutMS=1000&heartbeatFrequencyMS=500";
  }

  private void requireInProcess() {
    if (realUri != null) {
      throw new IllegalStateException("this test needs the in-process server");
    }
  }

  @Override
  public void close() {
    if (client != null) {
      if (realUri != null) {
        for (String name : databases) {
          Mono.from(client.getDatabase(name).drop()).block(Duration.ofSeconds(10));
        }
      }
      client.close();
      client = null;
    }
    if (server != null) {
      server.shutdownNow();
      server = null;
    }
    if (second != null) {
      second.shutdownNow();
      second = null;
    }
  }
}
