package dev.parley.store.mongo;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.error.StoreException;
import dev.parley.protocol.support.Lifecycle;
import dev.parley.spi.Bus;
import dev.parley.spi.Post;
import dev.parley.spi.Store;
import dev.parley.store.mongo.internal.ChangeStreamFollower;
import dev.parley.store.mongo.internal.MessageDocuments;
import dev.parley.store.mongo.internal.MessageFeed;
import dev.parley.store.mongo.internal.MessageIds;
import dev.parley.store.mongo.internal.MongoBus;
import dev.parley.store.mongo.internal.MongoErrors;
import dev.parley.store.mongo.internal.Payloads;
import dev.parley.store.mongo.internal.RoomKey;
import dev.parley.store.mongo.internal.RoomLanes;
import dev.parley.store.mongo.internal.Schema;
import dev.parley.store.mongo.internal.SessionDocuments;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

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
  private static final int MAX_CLAIM_ATTEMPTS = 64;
  private static final int RE_READ_EVERY = 3;
  private static final int MAX_IDLE_ROOMS = 10_000;
  private static final int MAX_FEED_ROOMS = 100_000;
  private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);
  private static final ReplaceOptions REPLACE_OR_INSERT = new ReplaceOptions().upsert(true);

  private final MongoStoreConfig config;
  private final @Nullable MongoClient givenClient;
  private final Clock clock = Clock.systemUTC();
  private final RoomLanes lanes = new RoomLanes(MAX_IDLE_ROOMS);
  private final MongoBus bus = new MongoBus(() -> started().bus(), clock);
  private final MessageFeed feed = new MessageFeed(() -> started().messages(), lanes, MAX_FEED_ROOMS);
  private final StoreLifecycle lifecycle = new StoreLifecycle();
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
  }

  /**
   * A store on the application's own client, which it never closes; {@code config}'s connection string
   * is not used.
   */
  public MongoStore(MongoClient client, MongoStoreConfig config) {
    this.givenClient = Objects.requireNonNull(client, "client");
    this.config = Objects.requireNonNull(config, "config");
  }

  /** The store's settings. */
  public MongoStoreConfig config() {
    return config;
  }

  // ---- lifecycle ----

  /** What {@link #start()} made: the client, the four collections and the two change-stream followers. */
  private record Started(MongoClient client, MongoCollection<BsonDocument> messages,
      MongoCollection<BsonDocument> counters, MongoCollection<BsonDocument> bus,
      MongoCollection<BsonDocument> sessions, ChangeStreamFollower feedFollower,
      ChangeStreamFollower busFollower) {
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
      MongoCollection<BsonDocument> messages = database.getCollection(config.messagesCollection(), BsonDocument.class);
      MongoCollection<BsonDocument> busDocuments = database.getCollection(config.busCollection(), BsonDocument.class);
      String prefix = config.database() + ".";
      Started now = new Started(mongo, messages,
          database.getCollection(config.countersCollection(), BsonDocument.class), busDocuments,
          database.getCollection(config.sessionsCollection(), BsonDocument.class),
          new ChangeStreamFollower(prefix + config.messagesCollection(), messages, new ChangeStreamFollower.Probes(
              (id, n) -> MessageDocuments.key(MessageDocuments.PROBE_NAMESPACE, id, n),
              document -> MessageDocuments.isProbe(document)
                  ? document.getString(MessageDocuments.ROOM).getValue() : null,
              id -> MessageDocuments.room(MessageDocuments.PROBE_NAMESPACE, id)),
              feed, Schedulers.parallel(), clock, config.recoveryLookback()),
          new ChangeStreamFollower(prefix + config.busCollection(), busDocuments, bus.probes(), bus,
              Schedulers.parallel(), clock, config.recoveryLookback()));
      started = now;
      log.debug("starting: database {}, {}", config.database(), givenClient != null ? "given client" : config);
      Mono.when(
              Schema.messages(database, config.messagesCollection(), config.maxAge()),
              Schema.bus(database, config.busCollection(), config.busRetention()),
              Schema.sessions(database, config.sessionsCollection()))
          .onErrorMap(e -> MongoErrors.wrap("preparing the collections of database " + config.database(), e))
          .then(Mono.when(now.feedFollower().start(), now.busFollower().start()))
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
      if (givenClient == null) {
        now.client().close();
      }
      log.debug("stopped");
    }
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
        return Mono.error(new StoreException("post to room " + quote(post.room()) + " cannot be stored: "
            + e.getMessage(), e));
      }
      long size = MessageDocuments.size(post, payload);
      if (size > MessageDocuments.MAX_DOCUMENT_SIZE) {
        return Mono.error(new StoreException("post \"" + post.event() + "\" to room " + quote(post.room()) + " is "
            + size + " bytes as BSON; MongoDB stores at most " + MessageDocuments.MAX_DOCUMENT_SIZE
            + " bytes (16 MiB) per document"));
      }
      RoomKey room = new RoomKey(post.namespace(), post.room());
      return lanes.submit(room, lane -> claim(now, lane, post, payload))
          .onErrorMap(e -> MongoErrors.wrap("post \"" + post.event() + "\" to room " + quote(post.room()), e));
    });
  }

  private Mono<Message> claim(Started now, RoomLanes.Lane lane, Post post, BsonValue payload) {
    Instant createdAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    BsonDocument update = new BsonDocument("$setOnInsert", MessageDocuments.body(post, payload, createdAt));
    Message template = new Message(MessageIds.of(0, post.namespace(), post.room()), post.namespace(), post.room(),
        post.event(), post.payload(), post.sender(), createdAt);
    long known = lane.known();
    Mono<Long> last = known >= 0 ? Mono.just(known) : lastSeq(now, lane.room());
    return last.flatMap(seq -> attempt(now, lane, update, template, seq + 1, 1));
  }

  /**
   * One try at storing the post as number {@code seq}, which is only tried once {@code seq - 1} is known
   * to be stored. An upsert: it inserts if the number is free and matches (changing nothing) if taken.
   */
  private Mono<Message> attempt(Started now, RoomLanes.Lane lane, BsonDocument update, Message template, long seq,
      int attempt) {
    RoomKey room = lane.room();
    return Mono.from(now.messages().updateOne(MessageDocuments.key(room.namespace(), room.room(), seq), update, UPSERT))
        .map(result -> result.getUpsertedId() != null)
        .onErrorResume(MongoErrors::isDuplicateKey, e -> Mono.just(false))
        .flatMap(claimed -> {
          lane.taken(seq);
          if (claimed) {
            afterClaim(now, lane, seq);
            return Mono.just(new Message(MessageIds.of(seq, room.namespace(), room.room()), template.namespace(),
                template.room(), template.event(), template.payload(), template.sender(), template.createdAt()));
          }
          if (attempt >= MAX_CLAIM_ATTEMPTS) {
            return Mono.error(new StoreException("room " + quote(room.room()) + " is too busy: no free position"
                + " after " + attempt + " attempts"));
          }
          log.trace("{} #{} taken by another node; trying the next", room, seq);
          Mono<Long> next = attempt % RE_READ_EVERY == 0
              ? lastSeq(now, room).map(stored -> Math.max(stored, lane.known()))
              : Mono.fromSupplier(lane::known);
          return next.flatMap(known -> attempt(now, lane, update, template, known + 1, attempt + 1));
        });
  }

  /** The highest sequence number stored (or, with expiry, ever stored) in a room; 0 if none. */
  private Mono<Long> lastSeq(Started now, RoomKey room) {
    Mono<Long> stored = Mono.from(now.messages().find(MessageDocuments.room(room.namespace(), room.room()))
            .sort(Sorts.descending(MessageDocuments.SEQ))
            .projection(Projections.include(MessageDocuments.SEQ))
            .limit(1)
            .first())
        .map(MessageDocuments::seq)
        .defaultIfEmpty(0L);
    if (config.maxAge() == null) {
      return stored;
    }
    // Expired messages leave the room's counter behind, so numbers are never handed out twice.
    Mono<Long> counter = Mono.from(now.counters().find(Filters.eq("_id", counterId(room))).first())
        .map(document -> document.getNumber(MessageDocuments.SEQ).longValue())
        .defaultIfEmpty(0L);
    return Mono.zip(stored, counter, Math::max);
  }

  private static BsonDocument counterId(RoomKey room) {
    return new BsonDocument(MessageDocuments.NAMESPACE, new BsonString(room.namespace()))
        .append(MessageDocuments.ROOM, new BsonString(room.room()));
  }

  /** Retention work after a post, off the post's path and coalesced per room. */
  private void afterClaim(Started now, RoomLanes.Lane lane, long seq) {
    RoomKey room = lane.room();
    if (config.maxAge() != null) {
      lane.floor.request(seq, value -> Mono.from(now.counters().updateOne(Filters.eq("_id", counterId(room)),
          new BsonDocument("$max", new BsonDocument(MessageDocuments.SEQ, new BsonInt64(value))), UPSERT)));
    }
    int keep = config.maxMessagesPerRoom();
    if (keep > 0 && seq > keep) {
      lane.trim.request(seq - keep, upTo -> Mono.from(now.messages().deleteMany(Filters.and(
          MessageDocuments.room(room.namespace(), room.room()), Filters.lte(MessageDocuments.SEQ, upTo)))));
    }
  }

  /**
   * A page of a room's history, oldest first, read with the {@code (ns, room, seq)} index. Cursors are
   * compared as Strings with the ids, so any string works as a cursor.
   */
  @Override
  public Flux<Message> history(String namespace, String room, HistoryQuery query) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(room, "room");
    Objects.requireNonNull(query, "query");
    Started now = running();
    return Flux.defer(() -> {
      List<Bson> filter = new ArrayList<>(4);
      filter.add(Filters.eq(MessageDocuments.NAMESPACE, namespace));
      filter.add(Filters.eq(MessageDocuments.ROOM, room));
      String suffix = MessageIds.suffix(namespace, room);
      if (query.after() != null) {
        long from = MessageIds.firstSeqAfter(query.after(), suffix);
        if (from == Long.MAX_VALUE) {
          return Flux.empty();
        }
        filter.add(Filters.gte(MessageDocuments.SEQ, from));
      }
      if (query.before() != null) {
        long to = MessageIds.lastSeqBefore(query.before(), suffix);
        if (to < 1) {
          return Flux.empty();
        }
        filter.add(Filters.lte(MessageDocuments.SEQ, to));
      }
      boolean oldestFirst = query.after() != null;
      Flux<Message> page = Flux.from(now.messages().find(Filters.and(filter))
              .sort(oldestFirst ? Sorts.ascending(MessageDocuments.SEQ) : Sorts.descending(MessageDocuments.SEQ))
              .limit(query.limit())
              .batchSize(Math.min(query.limit(), 1_000)))
          .map(MessageDocuments::toMessage);
      if (!oldestFirst) {
        page = page.collectList().flatMapMany(newestFirst -> {
          Collections.reverse(newestFirst);
          return Flux.fromIterable(newestFirst);
        });
      }
      return page.onErrorMap(e -> MongoErrors.wrap("history of room " + quote(room), e));
    });
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
    MongoCollection<BsonDocument> collection = running().sessions();
    return Mono.defer(() -> {
          long expiresAt = SessionDocuments.expiry(clock.millis(), ttl);
          return Mono.from(collection.replaceOne(SessionDocuments.byKey(namespace, privateId),
              SessionDocuments.of(namespace, privateId, state, expiresAt), REPLACE_OR_INSERT));
        })
        // Two upserts of one new key can race to insert it; the loser's retry finds it and replaces it.
        .retryWhen(Retry.max(1).filter(MongoErrors::isDuplicateKey)
            .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
        .onErrorMap(e -> MongoErrors.wrap("saving a session of namespace " + quote(namespace), e))
        .then();
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
    MongoCollection<BsonDocument> collection = running().sessions();
    return Mono.defer(() -> Mono.from(collection.findOneAndDelete(
            SessionDocuments.unexpired(namespace, privateId, clock.millis()))))
        .mapNotNull(SessionDocuments::state)
        .onErrorMap(e -> MongoErrors.wrap("taking a session of namespace " + quote(namespace), e));
  }

  /**
   * Every message appended by any node using this database, from subscription on; hot. Within a room,
   * messages come in id order, each once; rooms interleave as the database committed them. Survives
   * interruptions of the change stream (see the class comment and the README); never errors, completes
   * when the store stops.
   */
  @Override
  public Flux<Message> feed() {
    return feed.flux();
  }

  /** The bus: emits travel as documents in the bus collection, read back through a change stream. */
  @Override
  public Bus bus() {
    return bus;
  }

  /** Whether both change streams are open and delivering (for health checks). */
  public boolean isLive() {
    Started now = started;
    return lifecycle.isRunning() && now != null && now.feedFollower().isLive() && now.busFollower().isLive();
  }

  /** The follower of the messages collection (tests play interruptions through it). */
  ChangeStreamFollower messagesFollower() {
    return started().feedFollower();
  }

  private static String quote(String name) {
    return "\"" + (name.length() > 64 ? name.substring(0, 64) + "…" : name) + "\"";
  }

  @Override
  public String toString() {
    return "MongoStore[" + config.database() + "." + config.messagesCollection() + "]";
  }
}
