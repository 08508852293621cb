package dev.parley.mongo.embedded;

import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * mongo-java-server's memory backend with two behaviours of a real mongod the tests rely on:
 * <ul>
 *   <li>a {@code getMore} on a change stream that has nothing new waits (up to 250 ms, or until the next
 *   write) before answering, as mongod's awaitData does, instead of answering at once and having the
 *   driver poll in a tight loop;
 *   <li>{@link #close()} keeps the data, so a test can stop the server and start a new one on the same
 *   backend and port, as a mongod restart keeps its data files.
 * </ul>
 * The wait runs on the server's Netty worker thread, so the server is bound with a worker per connection.
 * {@link EmbeddedMongo} serves one; tests that stop and restart a server bind their own on it.
 */
public final class AwaitingMemoryBackend extends MemoryBackend {
  private static final long MAX_AWAIT_MILLIS = 250;
  private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findandmodify");

  /** Writes per collection ("db.collection"), each a monitor that getMores on that collection wait on. */
  private final Map<String, Writes> writes = new ConcurrentHashMap<>();

  private static final class Writes {
    long count;
  }

  private Writes writes(String database, Object collection) {
    return writes.computeIfAbsent(database + "." + collection, k -> new Writes());
  }

  @Override
  public Document handleCommand(Channel channel, String database, String command, Document query) {
    Document result = super.handleCommand(channel, database, command, query);
    if (WRITES.contains(command.toLowerCase(Locale.ROOT))) {
      Writes counter = writes(database, query.get(command));
      synchronized (counter) {
        counter.count++;
        counter.notifyAll();
      }
    }
    return result;
  }

  @Override
  protected Document handleGetMore(String database, String command, Document query) {
    Writes counter = writes(database, query.get("collection"));
    long seen;
    synchronized (counter) {
      seen = counter.count;
    }
    Document result = super.handleGetMore(database, command, query);
    if (!isEmptyOpenBatch(result)) {
      return result;
    }
    long deadline = System.nanoTime() + MAX_AWAIT_MILLIS * 1_000_000;
    synchronized (counter) {
      long left;
      while (counter.count == seen && (left = deadline - System.nanoTime()) > 0) {
        try {
          counter.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return result;
        }
      }
      if (counter.count == seen) {
        return result;
      }
    }
    return super.handleGetMore(database, command, query);
  }

  private static boolean isEmptyOpenBatch(Document result) {
    if (!(result.get("cursor") instanceof Document cursor)) {
      return false;
    }
    return cursor.get("nextBatch") instanceof List<?> batch && batch.isEmpty()
        && cursor.get("id") instanceof Number id && id.longValue() != 0;
  }

  /** Keeps the data: a restarted server on this backend finds it again. */
  @Override
  public void close() {
  }
}
