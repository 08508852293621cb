package dev.parley.store.mongo;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.error.StoreException;
import dev.parley.protocol.Names;
import dev.parley.protocol.support.Lifecycle;
import dev.parley.spi.Bus;
import dev.parley.spi.Post;
import dev.parley.spi.Store;
import dev.parley.spi.StoreHealth;
import dev.parley.store.mongo.internal.ChangeStreamFollower;
import dev.parley.store.mongo.internal.ForeignCollection;
import dev.parley.store.mongo.internal.HistoryReader;
import dev.parley.store.mongo.internal.MessageDocuments;
import dev.parley.store.mongo.internal.MessageFeed;
import dev.parley.store.mongo.internal.MessageWriter;
import dev.parley.store.mongo.internal.MongoBus;
import dev.parley.store.mongo.internal.MongoErrors;
import dev.parley.store.mongo.internal.MongoHealth;
import dev.parley.store.mongo.internal.Payloads;
import dev.parley.store.mongo.internal.RoomKey;
import dev.parley.store.mongo.internal.RoomLanes;
import dev.parley.store.mongo.internal.Schema;
import dev.parley.store.mongo.internal.SessionCollection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A store in MongoDB: durable history, and a change-stream feed and bus that link every node using the
 * same database. Needs a replica set or a sharded cluster (change streams); a single-node replica set
 * will do.
 *
 * <h3>Ids and order</h3>
 * Each room numbers its messages 1, 2, 3, …; a message's id is its number as 16 lower-case hex digits,
 * a dash, and a 16-hex-digit tag derived from the room's namespace and name: every id of a room has the
 * same width and the same tail, so String order is number order, and ids of different rooms differ. A
 * node claims number N+1 by inserting the message under the unique key {@code (namespace, room, N+1)},
 * which it only tries once it knows N is stored; if another node took N+1 first, it tries the next free
 * one. So within a room the numbers are committed in number order, every node's change stream delivers
 * a room's messages in id order, and "after id X" never skips a message. Ids order messages <em>within a
 * room</em>; across rooms they are unique but not comparable. The module's README explains why this
 * holds.
 *
 * <h3>Sessions</h3>
 * {@link #saveSession} keeps a disconnected channel's state in the sessions collection, one document per
 * (namespace, private id) with its expiry time; {@link #takeSession} removes it with one atomic
 * find-and-delete, so of all the nodes asking for one session at most one gets it, and a session outlives
 * the node that saved it.
 *
 * <h3>Ownership</h3>
 * Built from a {@link MongoStoreConfig}, the store makes its own {@code MongoClient} at {@link #start()}
 * and closes it at {@link #stop()}. Given a client, it uses that client's connection and never closes it.
 * Several {@code ChatServer}s may share one instance, and instances in other processes using the same
 * database act as further nodes.
 *
 * <pre>{@code
 * MongoStore store = new MongoStore(MongoStoreConfig.builder()
 *     .connectionString("mongodb://db1,db2,db3/?replicaSet=rs0")
 *     .build());
 * ChatServer server = ChatServer.builder().store(store).start();
 * }</pre>
 *
 * <p>Thread-safe. Starts and stops by the rules of {@link Lifecycle}: {@link #start()} and {@link #stop()}
 * are idempotent, and after {@link #stop()} or a failed start the store cannot be started again.
 */
public final class MongoStore implements Store {
  private static final Logger log = LoggerFactory.getLogger(MongoStore.class);
  private static final int MAX_IDLE_ROOMS = 10_000;
  private static final int MAX_FEED_ROOMS = 100_000;
  /** How long {@link #health()} waits for the server to answer its ping. */
  public static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

  private final MongoStoreConfig config;
  private final @Nullable MongoClient givenClient;
  private final Clock clock = Clock.systemUTC();
  private final RoomLanes lanes = new RoomLanes(MAX_IDLE_ROOMS);
  private final MongoBus bus = new MongoBus(() -> started().bus(), clock);
  private final MessageFeed feed = new MessageFeed(() -> started().messages(), lanes, MAX_FEED_ROOMS);
  private final StoreLifecycle lifecycle = new StoreLifecycle();
  private final List<ForeignCollection> foreign;
  private final Flux<Message> allFeeds;
  // Set once by start(), before the change streams open: they read the collections through it.
  private volatile @Nullable Started started;

  /** A store on a MongoDB on this machine, database {@code parley}. */
  public MongoStore() {
    this(MongoStoreConfig.defaults());
  }

  /** A store that connects with {@code config}'s connection string, and closes its connection on {@link #stop()}. */
  public MongoStore(MongoStoreConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.givenClient = null;
    this.foreign = foreign(config, clock);
    this.allFeeds = allFeeds(feed, foreign);
  }

  /**
   * A store on the application's own client, which it never closes; {@code config}'s connection string
   * is not used.
   */
  public MongoStore(MongoClient client, MongoStoreConfig config) {
    this.givenClient = Objects.requireNonNull(client, "client");
    this.config = Objects.requireNonNull(config, "config");
    this.foreign = foreign(config, clock);
    this.allFeeds = allFeeds(feed, foreign);
  }

  private static List<ForeignCollection> foreign(MongoStoreConfig config, Clock clock) {
    return config.collectionFeeds().stream().map(feed -> new ForeignCollection(feed, clock)).toList();
  }

  private static Flux<Message> allFeeds(MessageFeed feed, List<ForeignCollection> foreign) {
    if (foreign.isEmpty()) {
      return feed.flux();
    }
    // Each source buffered: merge takes from them in turns, and a best-effort sink whose subscriber is not
    // requesting drops what it is given.
    List<Flux<Message>> all = new ArrayList<>();
    all.add(feed.flux().onBackpressureBuffer());
    foreign.forEach(collection -> all.add(collection.flux().onBackpressureBuffer()));
    return Flux.merge(all);
  }

  /** The collection feed of a room, or null if the room is Parley's own. */
  private @Nullable ForeignCollection foreignOf(String namespace, String room) {
    for (ForeignCollection collection : foreign) {
      if (collection.feed().feeds(namespace, room)) {
        return collection;
      }
    }
    return null;
  }

  /** The store's settings. */
  public MongoStoreConfig config() {
    return config;
  }

  // ---- lifecycle ----

  /**
   * What {@link #start()} made: the client, the messages and bus collections (read by the feed and the bus),
   * the writer, reader and sessions over the collections, and the two change-stream followers.
   */
  private record Started(MongoClient client, MongoCollection<BsonDocument> messages,
      MongoCollection<BsonDocument> bus, MessageWriter writer, HistoryReader history, SessionCollection sessions,
      ChangeStreamFollower feedFollower, ChangeStreamFollower busFollower, List<ForeignCollection> foreign,
      MongoHealth health) {
  }

  /**
   * Connects, creates the indexes (idempotent) and opens the change streams; completes once both streams
   * are open, so that every message appended afterwards reaches {@link #feed()}. Does nothing if the store
   * is started. The start runs on a {@code boundedElastic} thread, bounded by the driver's server selection
   * timeout.
   *
   * @return completes when ready; errors with a {@link StoreException} if the database cannot be reached,
   *     refuses the indexes, or does not support change streams (what was opened is then closed again, and
   *     the store cannot be started again), or with an {@link IllegalStateException} if it was stopped
   */
  @Override
  public Mono<Void> start() {
    return Mono.<Void>fromRunnable(lifecycle::start).subscribeOn(Schedulers.boundedElastic());
  }

  /**
   * Closes the change streams, ends {@link #feed()} and the bus, and closes the client if the store made
   * it. Idempotent.
   */
  @Override
  public Mono<Void> stop() {
    return Mono.<Void>fromRunnable(() -> {
      try {
        lifecycle.stop();
      } finally {
        feed.complete();
        bus.complete();
      }
    }).subscribeOn(Schedulers.boundedElastic());
  }

  /** The store's start and stop under the {@link Lifecycle} rules; a failed start is undone by doStop. */
  private final class StoreLifecycle extends Lifecycle {
    StoreLifecycle() {
      super("MongoStore");
    }

    @Override
    protected void doStart() {
      MongoClient mongo = givenClient != null ? givenClient : MongoClients.create(MongoClientSettings.builder()
          .applyConnectionString(new ConnectionString(config.connectionString()))
          .applicationName("parley")
          .build());
      MongoDatabase database = mongo.getDatabase(config.database());
      Started now = connect(mongo, database);
      started = now;
      log.debug("starting: database {}, {}", config.database(), givenClient != null ? "given client" : config);
      // One collection after the other: a start pays two more round trips, and mongo-java-server (the
      // embedded and test database) does not survive a database's first collections being made at once.
      Schema.messages(database, config.messagesCollection(), config.maxAge())
          .then(Schema.bus(database, config.busCollection(), config.busRetention()))
          .then(Schema.sessions(database, config.sessionsCollection()))
          .onErrorMap(e -> MongoErrors.wrap("preparing the collections of database " + config.database(), e))
          .then(Mono.when(now.feedFollower().start(), now.busFollower().start()))
          .then(Flux.fromIterable(now.foreign()).concatMap(collection -> collection.start(database)).then())
          .block();
      log.info("MongoDB store started: database {}, collections {}, {}, {}, {}", config.database(),
          config.messagesCollection(), config.busCollection(), config.sessionsCollection(), retention());
    }

    @Override
    protected void doStop() {
      Started now = started;
      if (now == null) {
        return;
      }
      now.feedFollower().stop();
      now.busFollower().stop();
      now.foreign().forEach(ForeignCollection::stop);
      if (givenClient == null) {
        now.client().close();
      }
      log.debug("stopped");
    }
  }

  /** The record of a start: the collections, and the followers of the two change streams, not yet started. */
  private Started connect(MongoClient mongo, MongoDatabase database) {
    MongoCollection<BsonDocument> messages = database.getCollection(config.messagesCollection(), BsonDocument.class);
    MongoCollection<BsonDocument> busDocuments = database.getCollection(config.busCollection(), BsonDocument.class);
    String prefix = config.database() + ".";
    ChangeStreamFollower.Probes messageProbes = new ChangeStreamFollower.Probes(
        (id, n) -> MessageDocuments.key(MessageDocuments.PROBE_NAMESPACE, id, n),
        document -> MessageDocuments.isProbe(document) ? document.getString(MessageDocuments.ROOM).getValue() : null,
        id -> MessageDocuments.room(MessageDocuments.PROBE_NAMESPACE, id));
    ChangeStreamFollower feedFollower = new ChangeStreamFollower(prefix + config.messagesCollection(), messages,
        messageProbes, feed, Schedulers.parallel(), clock, config.recoveryLookback());
    ChangeStreamFollower busFollower = new ChangeStreamFollower(prefix + config.busCollection(), busDocuments,
        bus.probes(), bus, Schedulers.parallel(), clock, config.recoveryLookback());
    return new Started(mongo, messages, busDocuments,
        new MessageWriter(messages, database.getCollection(config.countersCollection(), BsonDocument.class),
            config.maxAge(), config.maxMessagesPerRoom(), clock),
        new HistoryReader(messages),
        new SessionCollection(database.getCollection(config.sessionsCollection(), BsonDocument.class), clock),
        feedFollower, busFollower, foreign,
        new MongoHealth(config.database(), database, feedFollower, busFollower, bus, foreign, HEALTH_TIMEOUT));
  }

  private String retention() {
    if (config.maxAge() == null && config.maxMessagesPerRoom() == 0) {
      return "no retention limit";
    }
    return "retention " + (config.maxAge() == null ? "" : "maxAge " + config.maxAge() + " ")
        + (config.maxMessagesPerRoom() == 0 ? "" : "maxMessagesPerRoom " + config.maxMessagesPerRoom());
  }

  /**
   * What the store started, for the calls that need it.
   *
   * @throws IllegalStateException if the store is not started, stopped, or failed to start
   */
  private Started running() {
    lifecycle.checkStarted();
    return started();
  }

  /** What the store started, even while it starts (the change streams read through it as they open). */
  private Started started() {
    Started now = started;
    if (now == null) {
      throw new IllegalStateException("MongoStore is not started; call start() first");
    }
    return now;
  }

  // ---- messages ----

  /**
   * Stores a post under its room's next sequence number; completes with the message once the database
   * acknowledged it (with the connection's write concern: use {@code w=majority} for durability across
   * a failover). A node's posts to one room are stored one after the other, in call order.
   *
   * @return the stored message; errors with a {@link StoreException} if the payload is over MongoDB's
   *     16 MiB document limit (before anything is sent), or if the database fails or is unreachable. A
   *     post that failed on a lost connection may still have been stored.
   * @throws IllegalStateException if the store is not started or is stopped
   */
  @Override
  public Mono<Message> append(Post post) {
    Objects.requireNonNull(post, "post");
    Started now = running();
    return Mono.defer(() -> {
      BsonValue payload;
      try {
        payload = Payloads.toBson(post.payload());
      } catch (IllegalArgumentException e) {
        return Mono.error(new StoreException("post to room " + Names.quote(post.room()) + " cannot be stored: "
            + e.getMessage(), e));
      }
      long size = MessageDocuments.size(post, payload);
      if (size > MessageDocuments.MAX_DOCUMENT_SIZE) {
        return Mono.error(new StoreException("post \"" + post.event() + "\" to room " + Names.quote(post.room())
            + " is " + size + " bytes as BSON; MongoDB stores at most " + MessageDocuments.MAX_DOCUMENT_SIZE
            + " bytes (16 MiB) per document"));
      }
      ForeignCollection collection = foreignOf(post.namespace(), post.room());
      if (collection != null) {
        return collection.insert(post, payload);
      }
      RoomKey room = new RoomKey(post.namespace(), post.room());
      return lanes.submit(room, lane -> now.writer().write(lane, post, payload))
          .onErrorMap(e -> MongoErrors.wrap("post \"" + post.event() + "\" to room " + Names.quote(post.room()), e));
    });
  }

  /**
   * A page of a room's history, oldest first, read with the {@code (ns, room, seq)} index. Cursors are
   * compared as Strings with the ids, so any string works as a cursor.
   *
   * @throws IllegalStateException if the store is not started or is stopped
   */
  @Override
  public Flux<Message> history(String namespace, String room, HistoryQuery query) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(query, "query");
    Started now = running();
    ForeignCollection collection = foreignOf(namespace, room);
    return collection != null ? collection.history(room, query) : now.history().page(namespace, room, query);
  }

  // ---- sessions ----

  /**
   * Saves a disconnected channel's state in the sessions collection until {@code ttl} from now, replacing
   * earlier state under the same key; completes once the database acknowledged it (with the connection's
   * write concern: use {@code w=majority} for the state to survive a failover). The expiry is this node's
   * clock plus {@code ttl}, and every node compares it with its own clock, so keep the nodes' clocks in
   * sync.
   *
   * @return completes when saved; errors with a {@link StoreException} if the database fails or is
   *     unreachable
   * @throws IllegalArgumentException if {@code ttl} is not positive
   * @throws IllegalStateException if the store is not started or is stopped
   */
  @Override
  public Mono<Void> saveSession(String namespace, String privateId, String state, Duration ttl) {
    Store.checkSaveSession(namespace, privateId, state, ttl);
    return running().sessions().save(namespace, privateId, state, ttl);
  }

  /**
   * Removes and returns the state saved under the private id, if its time has not passed, with one
   * find-and-delete: across all nodes using this database at most one caller gets a given state.
   *
   * @return the state, or empty if there is none, it expired or another caller took it; errors with a
   *     {@link StoreException} if the database fails or is unreachable
   * @throws IllegalStateException if the store is not started or is stopped
   */
  @Override
  public Mono<String> takeSession(String namespace, String privateId) {
    Store.checkSessionKey(namespace, privateId);
    return running().sessions().take(namespace, privateId);
  }

  /**
   * Every message appended by any node using this database, from subscription on; hot. Within a room,
   * messages come in id order, each once; rooms interleave as the database committed them. Survives
   * interruptions of the change stream (see the class comment and the README); never errors, completes
   * when the store stops.
   */
  @Override
  public Flux<Message> feed() {
    return allFeeds;
  }

  /** False for a room of a {@link CollectionFeed}: its documents come in commit order. */
  @Override
  public boolean feedInIdOrder(String namespace, String room) {
    return foreignOf(namespace, room) == null;
  }

  /** The bus: emits travel as documents in the bus collection, read back through a change stream. */
  @Override
  public Bus bus() {
    return bus;
  }

  /**
   * Checks the store for a health endpoint. Reports down if the store is not running (details
   * {@code state}: {@code new}, {@code starting}, {@code stopped}…), if the server does not answer a
   * {@code ping} within {@link #HEALTH_TIMEOUT} (2 s), or if the change stream behind the feed or the bus has
   * given up (its client was closed); the reason is in {@code error}. While the server answers and the
   * streams are following, or reopening after an interruption (they resume where they left off), it reports
   * up. The details, in this order:
   *
   * <ul>
   *   <li>{@code store}: {@code "mongodb"}; {@code database}: the database's name;
   *   <li>{@code ping}: {@code "ok"} or {@code "failed"}, and {@code pingMillis}, the round trip, when ok;
   *   <li>{@code feed} and {@code bus}: where the change streams of the messages and bus collections are:
   *   {@code following}, {@code restarting} (interrupted, reopening or recovering what they missed),
   *   {@code failed} (given up) or {@code stopped};
   *   <li>{@code collectionFeeds}: for each {@link CollectionFeed}, its collection's name and
   *   {@code following} or {@code restarting}; absent when there are none;
   *   <li>{@code busLagMillis}: how long the newest emit this node received through the bus took, from its
   *   sender's clock to this node's change stream (includes the difference between the two nodes' clocks,
   *   never negative); -1 until an emit arrives. {@code busLastReceived}: when that was (ISO-8601), absent
   *   until then. An idle bus keeps the last figure: read both together;
   *   <li>{@code error}: why the store is down; only when down.
   * </ul>
   *
   * @return the health; completes within about {@link #HEALTH_TIMEOUT}, on a driver or Reactor
   *     {@code parallel} thread, and never errors
   */
  @Override
  public Mono<StoreHealth> health() {
    Started now = started;
    if (!lifecycle.isRunning() || now == null) {
      return Mono.fromCallable(() -> MongoHealth.notRunning(config.database(), lifecycle.state().name()));
    }
    return now.health().check();
  }

  /** Whether both change streams are open and delivering (for health checks). */
  public boolean isLive() {
    Started now = started;
    return lifecycle.isRunning() && now != null && now.feedFollower().isLive() && now.busFollower().isLive()
        && now.foreign().stream().allMatch(ForeignCollection::isLive);
  }

  /** The follower of the messages collection (tests play interruptions through it). */
  ChangeStreamFollower messagesFollower() {
    return started().feedFollower();
  }

  /** The follower of the bus collection (for tests). */
  ChangeStreamFollower busFollower() {
    return started().busFollower();
  }

  @Override
  public String toString() {
    return "MongoStore[" + config.database() + "." + config.messagesCollection() + "]";
  }
}
