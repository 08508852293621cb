package dev.parley.store.mongo.internal;

import com.mongodb.reactivestreams.client.MongoCollection;
import dev.parley.error.StoreException;
import dev.parley.spi.Bus;
import dev.parley.spi.BusMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The bus: documents in the bus collection, read back by every node's change stream. One insert at a time per
 * node: a message published while one is in flight waits for it, and the next document carries all that waited
 * (a batch document), so that a node's messages keep their order and a burst costs few inserts.
 */
public final class MongoBus implements Bus, ChangeStreamFollower.Handler {
  private static final Logger log = LoggerFactory.getLogger(MongoBus.class);

  private final Supplier<MongoCollection<BsonDocument>> collection;
  private final Clock clock;
  // The most messages, and bytes of BSON, one bus document carries (a message larger than that goes alone).
  private static final int MAX_BATCH = 256;
  private static final long MAX_BATCH_BYTES = 1L << 20;

  private final Sinks.Many<BusMessage> sink = Sinks.many().multicast().directBestEffort();
  // Messages published and not yet in an insert, and whether one is in flight; under this object's lock.
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private boolean inserting;
  // Written by the follower's one delivering thread at a time, read by health checks.
  private volatile long lagMillis = -1;
  private volatile @Nullable Instant lastReceived;

  public MongoBus(Supplier<MongoCollection<BsonDocument>> collection, Clock clock) {
    this.collection = collection;
    this.clock = clock;
  }

  @Override
  public Mono<Void> publish(BusMessage message) {
    Objects.requireNonNull(message, "message");
    return Mono.defer(() -> {
      BsonDocument document;
      try {
        document = BusDocuments.of(message, clock.instant());
      } catch (IllegalArgumentException e) {
        return Mono.error(new StoreException("emit \"" + message.event() + "\" cannot be stored: " + e.getMessage(), e));
      }
      long size = Payloads.bsonSize(document) + 17;
      if (size > MessageDocuments.MAX_DOCUMENT_SIZE) {
        return Mono.error(new StoreException("emit \"" + message.event() + "\" is " + size + " bytes as BSON;"
            + " MongoDB stores at most " + MessageDocuments.MAX_DOCUMENT_SIZE + " bytes per document"));
      }
      Sinks.Empty<Void> done = Sinks.empty();
      boolean start;
      synchronized (this) {
        waiting.add(new Waiting(message.event(), document, size, done));
        start = !inserting;
        inserting = true;
      }
      if (start) {
        insertNext();
      }
      return done.asMono();
    });
  }

  // One insert in flight at a time, carrying everything that waited for it (up to MAX_BATCH messages or
  // MAX_BATCH_BYTES): under load a node's messages leave in as few documents as the database takes them, in the
  // order they were published; alone, a message leaves at once in a document of its own.
  private void insertNext() {
    List<Waiting> batch = new ArrayList<>();
    synchronized (this) {
      long bytes = 0;
      while (!waiting.isEmpty() && batch.size() < MAX_BATCH
          && (batch.isEmpty() || bytes + waiting.peek().size() <= MAX_BATCH_BYTES)) {
        Waiting next = waiting.poll();
        bytes += next.size();
        batch.add(next);
      }
      if (batch.isEmpty()) {
        inserting = false;
        return;
      }
    }
    BsonDocument document;
    if (batch.size() == 1) {
      document = batch.get(0).document();
    } else {
      BsonArray messages = new BsonArray(new ArrayList<>(batch.size()));
      batch.forEach(w -> messages.add(w.document()));
      document = BusDocuments.batch(messages, clock.instant());
    }
    Mono<?> insert;
    try {
      insert = Mono.from(collection.get().insertOne(document));
    } catch (RuntimeException e) {
      // Not started, or stopped: these fail, and the next ones are tried (and fail alike) rather than left waiting.
      insert = Mono.error(e);
    }
    insert.subscribe(r -> { }, e -> {
          for (Waiting w : batch) {
            w.done().tryEmitError(MongoErrors.wrap("emit \"" + w.event() + "\" to other nodes", e));
          }
          insertNext();
        }, () -> {
          batch.forEach(w -> w.done().tryEmitEmpty());
          insertNext();
        });
  }

  /** A published message waiting for its insert. */
  private record Waiting(String event, BsonDocument document, long size, Sinks.Empty<Void> done) {
  }

  @Override
  public Flux<BusMessage> messages() {
    return sink.asFlux();
  }

  /** Ends the stream of messages (the store stopped). */
  public void complete() {
    sink.tryEmitComplete();
  }

  @Override
  public void inserted(BsonDocument document) {
    if (BusDocuments.probeId(document) == null) {
      Instant now = clock.instant();
      BsonValue createdAt = document.get(BusDocuments.CREATED_AT);
      if (createdAt != null && createdAt.isDateTime()) {
        // The writer's clock against ours: a node whose clock runs ahead would show a negative lag.
        lagMillis = Math.max(0, now.toEpochMilli() - createdAt.asDateTime().getValue());
        lastReceived = now;
      }
      BsonArray batch = BusDocuments.batchOf(document);
      if (batch == null) {
        sink.tryEmitNext(BusDocuments.toMessage(document));
      } else {
        for (BsonValue message : batch) {
          sink.tryEmitNext(BusDocuments.toMessage(message.asDocument()));
        }
      }
    }
  }

  /**
   * How long the newest emit received took from its sender's clock ({@code createdAt}) to this node's
   * change stream, in milliseconds; -1 if none was received yet. Includes the clock difference between the
   * two nodes, so this node's own emits are the exact measure; never negative (a sender whose clock runs
   * ahead shows 0).
   */
  public long lagMillis() {
    return lagMillis;
  }

  /** When this node received the newest emit through its change stream, or null if none yet. */
  public @Nullable Instant lastReceived() {
    return lastReceived;
  }

  @Override
  public Flux<BsonDocument> recover(Instant since) {
    log.warn("emits from other nodes sent while the bus's change stream could not resume (since about {}) are"
        + " not replayed: emits are ephemeral", since);
    return Flux.empty();
  }

  /** Probes as the follower inserts them. */
  public ChangeStreamFollower.Probes probes() {
    return new ChangeStreamFollower.Probes(
        (id, n) -> BusDocuments.probe(id, n, clock.instant()),
        BusDocuments::probeId,
        id -> new BsonDocument(BusDocuments.PROBE, new org.bson.BsonString(id)));
  }
}
