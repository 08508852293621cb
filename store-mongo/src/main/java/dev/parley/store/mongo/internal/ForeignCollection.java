package dev.parley.store.mongo.internal;

import com.mongodb.MongoCommandException;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.reactivestreams.client.ChangeStreamPublisher;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.error.StoreException;
import dev.parley.protocol.Names;
import dev.parley.spi.Post;
import dev.parley.store.mongo.CollectionFeed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.BsonTimestamp;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * One {@link CollectionFeed}: the application's collection read as rooms' history, followed by a change stream
 * for the live documents, written by {@code room.post}.
 *
 * <p>The change stream starts at the database's operation time when the feed started (or this node's clock
 * less a second, where the server does not report one), so no insert after the start is missed however late
 * the cursor opens; after an error it resumes after the last event, with a growing pause. Thread-safe.
 */
public final class ForeignCollection {
  private static final Logger log = LoggerFactory.getLogger(ForeignCollection.class);
  private static final HexFormat HEX = HexFormat.of();
  // Codes of a change stream that cannot resume: ChangeStreamHistoryLost, ChangeStreamFatalError.
  private static final List<Integer> HISTORY_LOST = List.of(286, 280);

  private final CollectionFeed feed;
  private final Clock clock;
  // Set by start(), before anything reads it.
  private volatile @Nullable MongoCollection<BsonDocument> collection;
  private final Sinks.Many<Message> sink = Sinks.many().multicast().directBestEffort();
  private final AtomicBoolean warnedSkip = new AtomicBoolean();
  private final Object lock = new Object();
  // Guarded by lock: where the stream resumes.
  private @Nullable BsonDocument resumeToken;
  private @Nullable BsonTimestamp startAt;
  private @Nullable Disposable stream;
  private volatile boolean live;
  private volatile boolean stopped;
  private volatile @Nullable MongoDatabase database;
  // Which (re)subscription of the stream this is, and the last one that failed.
  private final AtomicInteger attempts = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();

  public ForeignCollection(CollectionFeed feed, Clock clock) {
    this.feed = feed;
    this.clock = clock;
  }

  private MongoCollection<BsonDocument> collection() {
    MongoCollection<BsonDocument> now = collection;
    if (now == null) {
      throw new IllegalStateException("the collection feed " + feed.collection() + " is not started");
    }
    return now;
  }

  /** The feed's settings. */
  public CollectionFeed feed() {
    return feed;
  }

  // ---- start, stop ----

  /**
   * Checks the collection's indexes and opens the change stream.
   *
   * @return completes once the stream's start time is fixed; errors with a {@link StoreException} if a
   *     numeric order field has no unique index, or the database cannot be read
   */
  public Mono<Void> start(MongoDatabase database) {
    collection = database.getCollection(feed.collection(), BsonDocument.class);
    this.database = database;
    return checkIndexes()
        .then(operationTime(database))
        .doOnNext(time -> {
          synchronized (lock) {
            startAt = time;
            if (!stopped) {
              open();
            }
          }
        })
        .then();
  }

  /** Closes the stream and ends {@link #flux()}. */
  public void stop() {
    synchronized (lock) {
      stopped = true;
      if (stream != null) {
        stream.dispose();
        stream = null;
      }
      live = false;
    }
    sink.tryEmitComplete();
  }

  /** Whether the stream is open. */
  public boolean isLive() {
    return live;
  }

  /** The documents inserted since the start, as messages, in the order the database committed them; hot. */
  public Flux<Message> flux() {
    return sink.asFlux();
  }

  private Mono<Void> checkIndexes() {
    return Flux.from(collection().listIndexes(BsonDocument.class)).collectList()
        .onErrorMap(e -> MongoErrors.wrap("reading the indexes of collection " + feed.collection(), e))
        .flatMap(indexes -> {
          boolean roomIndexed = false;
          boolean orderUnique = feed.orderField().equals("_id");
          for (BsonDocument index : indexes) {
            List<String> keys = new ArrayList<>(index.getDocument("key").keySet());
            boolean unique = index.getBoolean("unique", BsonBoolean.FALSE).getValue();
            roomIndexed |= keys.get(0).equals(feed.roomField());
            if (unique && (keys.equals(List.of(feed.orderField()))
                || keys.equals(List.of(feed.roomField(), feed.orderField())))) {
              orderUnique = true;
            }
          }
          if (!orderUnique) {
            return Mono.error(new StoreException("collection feed " + feed.collection() + ": the order field \""
                + feed.orderField() + "\" must be unique within a room, or \"after id X\" is ambiguous; create"
                + " the index first: db." + feed.collection() + ".createIndex({\"" + feed.roomField() + "\": 1, \""
                + feed.orderField() + "\": 1}, {unique: true})"));
          }
          if (!roomIndexed) {
            log.warn("collection feed {}: no index begins with \"{}\", so each history read scans the collection;"
                + " create one: db.{}.createIndex({{\"{}\": 1, \"{}\": 1}})", feed.collection(), feed.roomField(),
                feed.collection(), feed.roomField(), feed.orderField());
          }
          return Mono.<Void>empty();
        });
  }

  /** The database's operation time now, or this node's clock less a second where it reports none. */
  private Mono<BsonTimestamp> operationTime(MongoDatabase database) {
    return Mono.from(database.runCommand(new BsonDocument("ping", new BsonInt32(1)), BsonDocument.class))
        .map(reply -> reply.isTimestamp("operationTime") ? reply.getTimestamp("operationTime")
            : new BsonTimestamp((int) (clock.instant().getEpochSecond() - 1), 0))
        .onErrorMap(e -> MongoErrors.wrap("reading the operation time for collection feed " + feed.collection(), e));
  }

  /** Opens the stream where it left off; called with the lock held. */
  private void open() {
    if (stopped) {
      return;
    }
    stream = Flux.defer(this::watch)
        // A stream ends when the collection is dropped or renamed (its invalidate event): start it again, from
        // now, so that a collection made anew under the name is followed too.
        .concatWith(Mono.defer(() -> {
          log.warn("the change stream on {} ended (the collection was dropped or renamed?); following it again",
              feed.collection());
          synchronized (lock) {
            resumeToken = null;
            startAt = new BsonTimestamp((int) clock.instant().getEpochSecond(), 0);
          }
          return Mono.error(new StoreException("the change stream on " + feed.collection() + " ended"));
        }))
        .doOnSubscribe(s -> confirmOpen(attempts.incrementAndGet()))
        .doOnError(this::failed)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(50)).maxBackoff(Duration.ofSeconds(2)))
        .subscribe(this::onEvent, e -> log.error("the change stream on {} ended", feed.collection(), e));
  }

  private ChangeStreamPublisher<BsonDocument> watch() {
    // Inserts that have a room; the rooms' names are matched here, not in the database.
    List<Bson> pipeline = List.of(Aggregates.match(Filters.and(
        Filters.eq("operationType", "insert"),
        Filters.type("fullDocument." + feed.roomField(), BsonType.STRING))));
    ChangeStreamPublisher<BsonDocument> publisher = collection().watch(pipeline, BsonDocument.class);
    synchronized (lock) {
      if (resumeToken != null) {
        return publisher.resumeAfter(resumeToken);
      }
      return startAt == null ? publisher : publisher.startAtOperationTime(startAt);
    }
  }

  /**
   * The driver says nothing when a stream's cursor is open: a stream counts as live once the server answers a
   * ping after it was (re)opened and it has not failed since, or once it delivers.
   */
  private void confirmOpen(int attempt) {
    MongoDatabase now = database;
    if (now == null) {
      return;
    }
    Mono.from(now.runCommand(new BsonDocument("ping", new BsonInt32(1)), BsonDocument.class))
        .subscribe(reply -> live = !stopped && attempts.get() == attempt && !failedSince(attempt), error -> { });
  }

  private boolean failedSince(int attempt) {
    return failures.get() >= attempt;
  }

  private void failed(Throwable error) {
    live = false;
    failures.set(attempts.get());
    if (error instanceof MongoCommandException command && HISTORY_LOST.contains(command.getErrorCode())) {
      log.warn("the change stream on {} cannot resume (its resume point left the oplog): documents inserted"
          + " meanwhile are not delivered live; they are in the history", feed.collection());
      synchronized (lock) {
        resumeToken = null;
        startAt = new BsonTimestamp((int) clock.instant().getEpochSecond(), 0);
      }
    } else {
      log.debug("the change stream on {} failed; resuming: {}", feed.collection(), error.toString());
    }
  }

  private void onEvent(ChangeStreamDocument<BsonDocument> event) {
    live = !stopped;
    synchronized (lock) {
      resumeToken = event.getResumeToken();
    }
    BsonDocument document = event.getFullDocument();
    Message message = document == null ? null : toMessage(document);
    if (message != null) {
      sink.tryEmitNext(message);
    }
  }

  // ---- history ----

  /**
   * A page of a room's documents, oldest first, as {@link dev.parley.spi.Store#history} describes.
   *
   * @return the page; errors with a {@link StoreException} if a cursor is not an id of this feed or the
   *     database fails
   */
  public Flux<Message> history(String room, HistoryQuery query) {
    return Flux.defer(() -> {
      List<Bson> filter = new ArrayList<>(4);
      filter.add(Filters.eq(feed.roomField(), roomValue(room)));
      filter.add(feed.orderType() == CollectionFeed.OrderType.OBJECT_ID
          ? Filters.type(feed.orderField(), BsonType.OBJECT_ID)
          : Filters.or(Filters.type(feed.orderField(), BsonType.INT32), Filters.type(feed.orderField(), BsonType.INT64)));
      if (query.after() != null && !query.after().isEmpty()) {
        filter.add(Filters.gt(feed.orderField(), decode(query.after())));
      }
      if (query.before() != null) {
        if (query.before().isEmpty()) {
          return Flux.empty();
        }
        filter.add(Filters.lt(feed.orderField(), decode(query.before())));
      }
      boolean oldestFirst = query.after() != null;
      Flux<Message> page = Flux.from(collection().find(Filters.and(filter))
              .sort(oldestFirst ? Sorts.ascending(feed.orderField()) : Sorts.descending(feed.orderField()))
              .limit(query.limit())
              .batchSize(Math.min(query.limit(), 1_000)))
          .mapNotNull(this::toMessage);
      if (!oldestFirst) {
        page = HistoryReader.reversed(page);
      }
      return page.onErrorMap(e -> MongoErrors.wrap("history of room " + Names.quote(room) + " from collection "
          + feed.collection(), e));
    });
  }

  // ---- posts ----

  /**
   * Inserts a post's payload as a document of the room.
   *
   * @return the message, as the change stream will deliver it; errors with a {@link StoreException} if the
   *     payload is not an object, has no order value of the feed's type, or the database fails
   */
  public Mono<Message> insert(Post post, BsonValue payload) {
    return Mono.defer(() -> {
      if (!payload.isDocument()) {
        return Mono.error(new StoreException("a post to room " + Names.quote(post.room()) + " of collection feed "
            + feed.collection() + " must be a JSON object: it is inserted as a document"));
      }
      BsonDocument document = payload.asDocument().clone();
      document.put(feed.roomField(), new BsonString(roomValue(post.room())));
      if (feed.orderType() == CollectionFeed.OrderType.OBJECT_ID && !document.containsKey(feed.orderField())) {
        document.put(feed.orderField(), new BsonObjectId(new ObjectId()));
      }
      Message message = toMessage(document);
      if (message == null) {
        return Mono.error(new StoreException("a post to room " + Names.quote(post.room()) + " of collection feed "
            + feed.collection() + " needs an integer in \"" + feed.orderField() + "\""));
      }
      return Mono.from(collection().insertOne(document)).thenReturn(message)
          .onErrorMap(e -> MongoErrors.wrap("post to room " + Names.quote(post.room()) + " of collection "
              + feed.collection(), e));
    });
  }

  // ---- documents and ids ----

  /** The document as its room's message, or null if it has no room or no order value (logged once). */
  @Nullable Message toMessage(BsonDocument document) {
    BsonValue room = document.get(feed.roomField());
    BsonValue order = document.get(feed.orderField());
    if (room == null || !room.isString() || order == null || order.getBsonType() != orderBsonType()
        && !(feed.orderType() == CollectionFeed.OrderType.NUMBER && order.isInt32())) {
      if (warnedSkip.compareAndSet(false, true)) {
        log.warn("collection feed {}: a document without a string \"{}\" or an {} \"{}\" is no room's message;"
            + " skipped (said once): _id {}", feed.collection(), feed.roomField(), feed.orderType(),
            feed.orderField(), document.get("_id"));
      }
      return null;
    }
    Instant createdAt = order.isObjectId()
        ? order.asObjectId().getValue().getDate().toInstant() : clock.instant();
    return new Message(encode(order), feed.namespace(), feed.roomPrefix() + room.asString().getValue(), feed.event(),
        Payloads.foreignToJson(document), null, createdAt);
  }

  private BsonType orderBsonType() {
    return feed.orderType() == CollectionFeed.OrderType.OBJECT_ID ? BsonType.OBJECT_ID : BsonType.INT64;
  }

  private String roomValue(String room) {
    return room.substring(feed.roomPrefix().length());
  }

  /** An order value as an id whose String order is the value's order. */
  private static String encode(BsonValue order) {
    if (order.isObjectId()) {
      return order.asObjectId().getValue().toHexString();
    }
    long value = order.isInt32() ? order.asInt32().getValue() : order.asInt64().getValue();
    return HEX.toHexDigits(value ^ Long.MIN_VALUE);
  }

  /** An id of this feed as the order value it encodes. */
  private BsonValue decode(String id) {
    boolean hex = id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (feed.orderType() == CollectionFeed.OrderType.OBJECT_ID && hex && id.length() == 24) {
      return new BsonObjectId(new ObjectId(id));
    }
    if (feed.orderType() == CollectionFeed.OrderType.NUMBER && hex && id.length() == 16) {
      return new BsonInt64(HEX.fromHexDigitsToLong(id) ^ Long.MIN_VALUE);
    }
    throw new StoreException("not an id of collection feed " + feed.collection() + ": " + Names.quote(id));
  }

  @Override
  public String toString() {
    return "ForeignCollection[" + feed.collection() + "]";
  }
}
