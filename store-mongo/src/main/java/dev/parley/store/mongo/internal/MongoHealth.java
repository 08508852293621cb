package dev.parley.store.mongo.internal;

import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.parley.spi.StoreHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The store's health check: the server answers a {@code ping} within a short timeout, the change-stream
 * followers are following, and how far behind this node reads the bus.
 */
public final class MongoHealth {
  private final String database;
  private final MongoDatabase mongo;
  private final ChangeStreamFollower feed;
  private final ChangeStreamFollower bus;
  private final MongoBus busHandler;
  private final List<ForeignCollection> foreign;
  private final Duration timeout;

  public MongoHealth(String database, MongoDatabase mongo, ChangeStreamFollower feed, ChangeStreamFollower bus,
                     MongoBus busHandler, List<ForeignCollection> foreign, Duration timeout) {
    this.database = database;
    this.mongo = mongo;
    this.feed = feed;
    this.bus = bus;
    this.busHandler = busHandler;
    this.foreign = foreign;
    this.timeout = timeout;
  }

  /** The details of a store that is not running: down, with where its lifecycle is. */
  public static StoreHealth notRunning(String database, String state) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("store", "mongodb");
    details.put("database", database);
    details.put("state", state.toLowerCase(Locale.ROOT));
    details.put("error", "the store is " + state.toLowerCase(Locale.ROOT));
    return StoreHealth.down(details);
  }

  /** Pings the server and reports; completes within the timeout, never with an error. */
  public Mono<StoreHealth> check() {
    return Mono.defer(() -> {
      long start = System.nanoTime();
      // Deferred: a closed client throws from runCommand itself.
      return Mono.defer(() -> Mono.from(mongo.runCommand(new BsonDocument("ping", new BsonInt32(1)))))
          // The driver waits up to its server selection timeout (30 s by default) for a server that is away,
          // and forever on a connection that went silent: a health check cannot.
          .timeout(timeout, Mono.error(() -> new TimeoutException("no answer to ping within " + timeout.toMillis()
              + " ms")))
          .then(Mono.fromCallable(() -> report(null, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))))
          .onErrorResume(e -> Mono.fromCallable(() -> report(e, -1)));
    });
  }

  private StoreHealth report(@Nullable Throwable pingError, long pingMillis) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("store", "mongodb");
    details.put("database", database);
    if (pingError == null) {
      details.put("ping", "ok");
      details.put("pingMillis", pingMillis);
    } else {
      details.put("ping", "failed");
    }
    ChangeStreamFollower.State feedState = feed.state();
    ChangeStreamFollower.State busState = bus.state();
    details.put("feed", name(feedState));
    details.put("bus", name(busState));
    if (!foreign.isEmpty()) {
      Map<String, Object> collections = new LinkedHashMap<>();
      for (ForeignCollection collection : foreign) {
        collections.put(collection.feed().collection(), collection.isLive() ? "following" : "restarting");
      }
      details.put("collectionFeeds", collections);
    }
    details.put("busLagMillis", busHandler.lagMillis());
    Instant received = busHandler.lastReceived();
    if (received != null) {
      details.put("busLastReceived", received.toString());
    }
    String error = pingError != null ? message(pingError)
        : feedState == ChangeStreamFollower.State.FAILED ? message(feed.failure())
        : busState == ChangeStreamFollower.State.FAILED ? message(bus.failure())
        : null;
    if (error == null) {
      return StoreHealth.up(details);
    }
    details.put("error", error);
    return StoreHealth.down(details);
  }

  private static String name(ChangeStreamFollower.State state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  private static String message(@Nullable Throwable error) {
    if (error == null) {
      return "unknown";
    }
    return error.getMessage() != null ? error.getMessage() : error.toString();
  }
}
