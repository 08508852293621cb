package dev.parley.bench.reliability;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import dev.parley.store.mongo.AwaitingMemoryBackend;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * mongo-java-server in this JVM with its oplog on (change streams), on 127.0.0.1 on a free port, reached
 * over TCP. It can stop, dropping every connection as a crashed mongod would, and start again on the same
 * port with the same data: the backend ({@link AwaitingMemoryBackend} from store-mongo's tests) outlives
 * the server, and a new server is bound on it, as a restarted mongod finds its data files.
 */
final class InProcessMongo implements AutoCloseable {
  // A change stream's getMore waits on a server worker thread (AwaitingMemoryBackend): one per connection.
  private static final int WORKER_THREADS = 256;

  private final AwaitingMemoryBackend backend = new AwaitingMemoryBackend();
  private final InetSocketAddress address;
  private @Nullable MongoServer server;

  InProcessMongo() {
    backend.version(ServerVersion.MONGO_5_0);
    backend.enableOplog();
    address = bind(new InetSocketAddress("127.0.0.1", 0));
  }

  private InetSocketAddress bind(InetSocketAddress where) {
    MongoServer started = new MongoServer(backend);
    started.bind(where, 1, WORKER_THREADS);
    server = started;
    return started.getLocalAddress();
  }

  /** The connection string, with short timeouts so that an outage shows within a test. */
  String uri() {
    return "mongodb://127.0.0.1:" + address.getPort()
        + "/?serverSelectionTimeoutMS=1500&connectTimeoutMS=1000&heartbeatFrequencyMS=500";
  }

  /** Stops the server at once: every connection drops, the port closes; the data stays. */
  synchronized void stop() {
    MongoServer running = server;
    server = null;
    if (running != null) {
      running.shutdownNow();
    }
  }

  /** Starts the server again on the same port, with the data it had. */
  synchronized void restart() {
    if (server != null) {
      throw new IllegalStateException("the server is running");
    }
    bind(address);
  }

  @Override
  public synchronized void close() {
    stop();
  }
}
