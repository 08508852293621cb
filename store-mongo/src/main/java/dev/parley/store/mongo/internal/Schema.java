package dev.parley.store.mongo.internal;

import com.mongodb.MongoCommandException;
import com.mongodb.client.model.CreateCollectionOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.reactivestreams.client.MongoDatabase;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.Document;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Creates the collections and indexes the store needs; idempotent, so every node runs it at start. */
public final class Schema {
  private static final Logger log = LoggerFactory.getLogger(Schema.class);
  /** The size of a capped bus collection: room for many emits, and for one of MongoDB's largest documents. */
  public static final long BUS_CAPPED_BYTES = 64L * 1024 * 1024;
  private static final int NAMESPACE_EXISTS = 48;
  private static final int INDEX_OPTIONS_CONFLICT = 85;
  private static final int INDEX_KEY_SPECS_CONFLICT = 86;

  private Schema() {
  }

  /**
   * The messages collection's indexes: unique {@code (ns, room, seq)}, which orders each room and serves
   * every history query, and a TTL index on {@code createdAt} when messages expire.
   */
  public static Mono<Void> messages(MongoDatabase database, String collection, @Nullable Duration maxAge) {
    Mono<Void> roomSeq = Mono.from(database.getCollection(collection).createIndex(
            Indexes.ascending(MessageDocuments.NAMESPACE, MessageDocuments.ROOM, MessageDocuments.SEQ),
            new IndexOptions().unique(true).name(MessageDocuments.ROOM_SEQ_INDEX)))
        .then();
    Mono<Void> ttl = maxAge == null ? warnAboutStrayTtl(database, collection) : ttl(database, collection,
        MessageDocuments.TTL_INDEX, MessageDocuments.CREATED_AT, maxAge);
    return roomSeq.then(ttl);
  }

  private static Mono<Void> warnAboutStrayTtl(MongoDatabase database, String collection) {
    return Flux.from(database.getCollection(collection).listIndexes(BsonDocument.class))
        .filter(index -> index.containsKey("expireAfterSeconds"))
        .doOnNext(index -> log.warn("messages in {} still expire after {} s because of index {}, although this"
                + " store has no maxAge; drop the index to keep them", collection,
            index.get("expireAfterSeconds"), index.get("name")))
        .then();
  }

  /**
   * The sessions collection's TTL index on {@code expiresAt}: each document carries its own expiry time,
   * so the index removes it as soon as that time has passed.
   */
  public static Mono<Void> sessions(MongoDatabase database, String collection) {
    return ttlSeconds(database, collection, SessionDocuments.TTL_INDEX, SessionDocuments.EXPIRES_AT, 0);
  }

  private static Mono<Void> ttl(MongoDatabase database, String collection, String name, String field, Duration age) {
    return ttlSeconds(database, collection, name, field, Math.max(1, age.toSeconds()));
  }

  private static Mono<Void> ttlSeconds(MongoDatabase database, String collection, String name, String field,
      long seconds) {
    return Mono.from(database.getCollection(collection).createIndex(Indexes.ascending(field),
            new IndexOptions().name(name).expireAfter(seconds, TimeUnit.SECONDS)))
        .then()
        .onErrorResume(e -> e instanceof MongoCommandException c
                && (c.getCode() == INDEX_OPTIONS_CONFLICT || c.getCode() == INDEX_KEY_SPECS_CONFLICT),
            e -> {
              // The index exists with another age: change it in place.
              log.info("changing the expiry of {}.{} to {} s", collection, name, seconds);
              return Mono.from(database.runCommand(new BsonDocument("collMod", new BsonString(collection))
                      .append("index", new BsonDocument("name", new BsonString(name))
                          .append("expireAfterSeconds", new BsonInt64(seconds)))))
                  .then();
            });
  }

  /**
   * The bus collection: capped where the server supports it (old emits make room for new ones), else
   * a plain collection whose documents a TTL index removes after {@code retention}.
   */
  public static Mono<Void> bus(MongoDatabase database, String collection, Duration retention) {
    return isCapped(database, collection).flatMap(capped -> {
      if (capped.isPresent()) {
        return capped.get() ? Mono.empty() : busTtl(database, collection, retention);
      }
      return Mono.from(database.createCollection(collection,
              new CreateCollectionOptions().capped(true).sizeInBytes(BUS_CAPPED_BYTES)))
          .then()
          .onErrorResume(e -> {
            if (e instanceof MongoCommandException c && c.getCode() == NAMESPACE_EXISTS) {
              // Another node made it meanwhile.
              return bus(database, collection, retention);
            }
            log.debug("capped collection {} not created ({}); using a TTL index instead", collection, e.toString());
            return busTtl(database, collection, retention);
          });
    });
  }

  private static Mono<Void> busTtl(MongoDatabase database, String collection, Duration retention) {
    return ttl(database, collection, "parley_bus_ttl", BusDocuments.CREATED_AT, retention);
  }

  /** Whether the collection is capped; empty if it does not exist. */
  private static Mono<Optional<Boolean>> isCapped(MongoDatabase database, String collection) {
    return Flux.from(database.listCollections().filter(new Document("name", collection)))
        .next()
        .map(info -> {
          Object options = info.get("options");
          boolean capped = options instanceof Document o && Boolean.TRUE.equals(o.get("capped"));
          return Optional.of(capped);
        })
        .defaultIfEmpty(Optional.empty());
  }
}
