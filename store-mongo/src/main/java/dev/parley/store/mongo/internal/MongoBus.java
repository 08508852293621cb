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
      sink.tryEmitNext(BusDocuments.toMessage(document));
    }
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
