package dev.parley.store.mongo.internal;

import com.mongodb.reactivestreams.client.MongoCollection;
import dev.parley.error.StoreException;
import dev.parley.spi.Bus;
import dev.parley.spi.BusMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** The bus: one document per emit in the bus collection, read back by every node's change stream. */
public final class MongoBus implements Bus, ChangeStreamFollower.Handler {
  private static final Logger log = LoggerFactory.getLogger(MongoBus.class);

  private final Supplier<MongoCollection<BsonDocument>> collection;
  private final Clock clock;
  private final Sinks.Many<BusMessage> sink = Sinks.many().multicast().directBestEffort();
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
      return Mono.from(collection.get().insertOne(document))
          .then()
          .onErrorMap(e -> MongoErrors.wrap("emit \"" + message.event() + "\" to other nodes", e));
    });
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
      sink.tryEmitNext(BusDocuments.toMessage(document));
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
