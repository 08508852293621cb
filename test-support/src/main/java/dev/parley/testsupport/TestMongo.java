package dev.parley.testsupport;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import dev.parley.mongo.embedded.AwaitingMemoryBackend;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The MongoDB a test talks to, over TCP with the official reactive driver: the replica set named by
 * {@code PARLEY_MONGODB_URI} when that is set, else mongo-java-server in this JVM with its oplog on (for
 * change streams, on {@link AwaitingMemoryBackend}), bound to 127.0.0.1 on a free port. Each test gets fresh
 * databases, dropped at close. The in-process server can stop and start again on the same port with the
 * same data, as a crashed and restarted mongod does. Thread-safe.
 */
public final class TestMongo implements AutoCloseable {
  /** The environment variable naming a real MongoDB replica set to test against. */
  public static final String URI_VARIABLE = "PARLEY_MONGODB_URI";
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
  public static TestMongo start() {
    String uri = System.getenv(URI_VARIABLE);
    return new TestMongo(uri == null || uri.isBlank() ? null : uri.strip());
  }

  /** Always an in-process server: for tests that stop and restart the database. */
  public static TestMongo inProcess() {
    return new TestMongo(null);
  }

  /** Whether this is the real replica set named by {@code PARLEY_MONGODB_URI}. */
  public boolean isReal() {
    return realUri != null;
  }

  private void bind(InetSocketAddress where) {
    MongoServer started = new MongoServer(backend);
    started.bind(where, 1, WORKER_THREADS);
    server = started;
    address = started.getLocalAddress();
  }

  /** The connection string; in-process, with short timeouts so that failures show within a test. */
  public String connectionString() {
    if (realUri != null) {
      return realUri;
    }
    return inProcessUri(address.getPort(), "");
  }

  /**
   * The connection string of the in-process server with {@code database} as its default database.
   *
   * @throws IllegalStateException if this is a real replica set
   */
  public String connectionString(String database) {
    requireInProcess();
    return inProcessUri(address.getPort(), database);
  }

  private static String inProcessUri(int port, String database) {
    return "mongodb://127.0.0.1:" + port + "/" + database
        + "?serverSelectionTimeoutMS=1500&connectTimeoutMS=1000&heartbeatFrequencyMS=500";
  }

  /** A new database name, dropped at {@link #close()}. */
  public synchronized String newDatabase() {
    String name = "parley_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    databases.add(name);
    return name;
  }

  /** A client for the test's own reads and writes; closed at {@link #close()}. */
  public synchronized MongoClient client() {
    if (client == null) {
      client = MongoClients.create(connectionString());
    }
    return client;
  }

  /** Stops the in-process server, dropping every connection, as a crashed mongod would. */
  public synchronized void stopServer() {
    requireInProcess();
    MongoServer running = server;
    server = null;
    if (running != null) {
      running.shutdownNow();
    }
  }

  /**
   * Starts the in-process server again on the same port, with the data it had.
   *
   * @throws IllegalStateException if it is running, or if this is a real replica set
   */
  public synchronized void restartServer() {
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
  public synchronized String secondConnectionString() {
    requireInProcess();
    if (second == null) {
      second = new MongoServer(backend);
      second.bind(new InetSocketAddress("127.0.0.1", 0), 1, WORKER_THREADS);
    }
    return inProcessUri(second.getLocalAddress().getPort(), "");
  }

  private void requireInProcess() {
    if (realUri != null) {
      throw new IllegalStateException("this test needs the in-process server");
    }
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      if (realUri != null) {
        for (String name : databases) {
          Mono.from(client.getDatabase(name).drop()).block(Timeouts.STEP);
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
