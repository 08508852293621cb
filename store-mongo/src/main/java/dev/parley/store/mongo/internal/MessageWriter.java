package dev.parley.store.mongo.internal;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.parley.Message;
import dev.parley.error.StoreException;
import dev.parley.protocol.Names;
import dev.parley.spi.Post;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Stores posts under each room's next sequence number (the id-claiming the store's class comment and the
 * module's README describe), and the retention work after each: the room's counter when messages expire,
 * and trimming past the room's limit. Thread-safe; a room's posts come in one at a time on its lane.
 */
public final class MessageWriter {
  private static final Logger log = LoggerFactory.getLogger(MessageWriter.class);
  private static final int MAX_CLAIM_ATTEMPTS = 64;
  private static final int RE_READ_EVERY = 3;
  private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

  private final MongoCollection<BsonDocument> messages;
  private final MongoCollection<BsonDocument> counters;
  private final @Nullable Duration maxAge;
  private final int maxMessagesPerRoom;
  private final Clock clock;

  /**
   * @param maxAge how long messages are kept, or null for ever: with a limit, each room's counter is kept too
   * @param maxMessagesPerRoom how many messages a room keeps, 0 for all
   */
  public MessageWriter(MongoCollection<BsonDocument> messages, MongoCollection<BsonDocument> counters,
      @Nullable Duration maxAge, int maxMessagesPerRoom, Clock clock) {
    this.messages = messages;
    this.counters = counters;
    this.maxAge = maxAge;
    this.maxMessagesPerRoom = maxMessagesPerRoom;
    this.clock = clock;
  }

  /**
   * Stores the post under the room's next free number, on the room's lane (so after this node's earlier
   * posts to the room); completes with the stored message.
   *
   * @return the message; errors with a {@link StoreException} if the room stays too busy, or with the
   *     driver's error
   */
  public Mono<Message> write(RoomLanes.Lane lane, Post post, BsonValue payload) {
    Instant createdAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    BsonDocument update = new BsonDocument("$setOnInsert", MessageDocuments.body(post, payload, createdAt));
    Message template = new Message(MessageIds.of(0, post.namespace(), post.room()), post.namespace(), post.room(),
        post.event(), post.payload(), post.sender(), createdAt);
    long known = lane.known();
    Mono<Long> last = known >= 0 ? Mono.just(known) : lastSeq(lane.room());
    return last.flatMap(seq -> attempt(lane, update, template, seq + 1, 1));
  }

  /**
   * One try at storing the post as number {@code seq}, which is only tried once {@code seq - 1} is known
   * to be stored. An upsert: it inserts if the number is free and matches (changing nothing) if taken.
   */
  private Mono<Message> attempt(RoomLanes.Lane lane, BsonDocument update, Message template, long seq,
      int attempt) {
    RoomKey room = lane.room();
    return Mono.from(messages.updateOne(MessageDocuments.key(room.namespace(), room.room(), seq), update, UPSERT))
        .map(result -> result.getUpsertedId() != null)
        .onErrorResume(MongoErrors::isDuplicateKey, e -> Mono.just(false))
        .flatMap(claimed -> {
          lane.taken(seq);
          if (claimed) {
            afterClaim(lane, seq);
            return Mono.just(new Message(MessageIds.of(seq, room.namespace(), room.room()), template.namespace(),
                template.room(), template.event(), template.payload(), template.sender(), template.createdAt()));
          }
          if (attempt >= MAX_CLAIM_ATTEMPTS) {
            return Mono.error(new StoreException("room " + Names.quote(room.room()) + " is too busy: no free position"
                + " after " + attempt + " attempts"));
          }
          log.trace("{} #{} taken by another node; trying the next", room, seq);
          Mono<Long> next = attempt % RE_READ_EVERY == 0
              ? lastSeq(room).map(stored -> Math.max(stored, lane.known()))
              : Mono.fromSupplier(lane::known);
          return next.flatMap(known -> attempt(lane, update, template, known + 1, attempt + 1));
        });
  }

  /** The highest sequence number stored (or, with expiry, ever stored) in a room; 0 if none. */
  private Mono<Long> lastSeq(RoomKey room) {
    Mono<Long> stored = Mono.from(messages.find(MessageDocuments.room(room.namespace(), room.room()))
            .sort(Sorts.descending(MessageDocuments.SEQ))
            .projection(Projections.include(MessageDocuments.SEQ))
            .limit(1)
            .first())
        .map(MessageDocuments::seq)
        .defaultIfEmpty(0L);
    if (maxAge == null) {
      return stored;
    }
    // Expired messages leave the room's counter behind, so numbers are never handed out twice.
    Mono<Long> counter = Mono.from(counters.find(Filters.eq("_id", counterId(room))).first())
        .map(document -> document.getNumber(MessageDocuments.SEQ).longValue())
        .defaultIfEmpty(0L);
    return Mono.zip(stored, counter, Math::max);
  }

  private static BsonDocument counterId(RoomKey room) {
    return new BsonDocument(MessageDocuments.NAMESPACE, new BsonString(room.namespace()))
        .append(MessageDocuments.ROOM, new BsonString(room.room()));
  }

  /** Retention work after a post, off the post's path and coalesced per room. */
  private void afterClaim(RoomLanes.Lane lane, long seq) {
    RoomKey room = lane.room();
    if (maxAge != null) {
      lane.floor.request(seq, value -> Mono.from(counters.updateOne(Filters.eq("_id", counterId(room)),
          new BsonDocument("$max", new BsonDocument(MessageDocuments.SEQ, new BsonInt64(value))), UPSERT)));
    }
    int keep = maxMessagesPerRoom;
    if (keep > 0 && seq > keep) {
      lane.trim.request(seq - keep, upTo -> Mono.from(messages.deleteMany(Filters.and(
          MessageDocuments.room(room.namespace(), room.room()), Filters.lte(MessageDocuments.SEQ, upTo)))));
    }
  }
}
