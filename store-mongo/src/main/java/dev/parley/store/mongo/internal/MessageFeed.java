package dev.parley.store.mongo.internal;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.parley.Message;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.bson.BsonDocument;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The store's feed: messages from the change stream, in each room's sequence order, each once.
 *
 * <p>Within a room the change stream delivers in sequence order (see the module's README); the feed
 * remembers the last sequence number it emitted per room (for the most recent {@code maxRooms} rooms)
 * and drops anything at or below it, which removes the overlap between recovered history and the new
 * stream after a lost resume point.
 */
public final class MessageFeed implements ChangeStreamFollower.Handler {
  private final Supplier<MongoCollection<BsonDocument>> messages;
  private final RoomLanes lanes;
  private final Sinks.Many<Message> sink = Sinks.many().multicast().directBestEffort();
  private final Map<RoomKey, Long> emitted;

  public MessageFeed(Supplier<MongoCollection<BsonDocument>> messages, RoomLanes lanes, int maxRooms) {
    this.messages = messages;
    this.lanes = lanes;
    this.emitted = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<RoomKey, Long> eldest) {
        return size() > maxRooms;
      }
    };
  }

  /** The hot feed. */
  public Flux<Message> flux() {
    return sink.asFlux();
  }

  /** Ends the feed (the store stopped). */
  public void complete() {
    sink.tryEmitComplete();
  }

  @Override
  public void inserted(BsonDocument document) {
    if (MessageDocuments.isProbe(document)) {
      return;
    }
    RoomKey room = new RoomKey(document.getString(MessageDocuments.NAMESPACE).getValue(),
        document.getString(MessageDocuments.ROOM).getValue());
    long seq = MessageDocuments.seq(document);
    // Called one at a time by the follower; the map is only touched here.
    Long last = emitted.get(room);
    if (last != null && seq <= last) {
      return;
    }
    emitted.put(room, seq);
    lanes.taken(room, seq);
    sink.tryEmitNext(MessageDocuments.toMessage(document));
  }

  @Override
  public Flux<BsonDocument> recover(Instant since) {
    // Ordered by the unique index, so each room comes in sequence order; the time filter bounds the scan
    // to what the stream may have missed, and inserted() drops what was already emitted.
    return Flux.from(messages.get().find(Filters.gte(MessageDocuments.CREATED_AT, Date.from(since)))
        .sort(Sorts.ascending(MessageDocuments.NAMESPACE, MessageDocuments.ROOM, MessageDocuments.SEQ))
        .allowDiskUse(true));
  }
}
