package dev.parley.store.mongo.internal;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.protocol.Names;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.conversions.Bson;
import reactor.core.publisher.Flux;

/** Reads pages of a room's history with the {@code (ns, room, seq)} index. Thread-safe. */
public final class HistoryReader {
  private final MongoCollection<BsonDocument> messages;

  public HistoryReader(MongoCollection<BsonDocument> messages) {
    this.messages = messages;
  }

  /**
   * A page of the room's history, oldest first. Cursors are compared as Strings with the ids, so any string
   * works as a cursor.
   *
   * @return the page; errors with a {@code StoreException} if the database fails or is unreachable
   */
  public Flux<Message> page(String namespace, String room, HistoryQuery query) {
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
      Flux<Message> page = Flux.from(messages.find(Filters.and(filter))
              .sort(oldestFirst ? Sorts.ascending(MessageDocuments.SEQ) : Sorts.descending(MessageDocuments.SEQ))
              .limit(query.limit())
              .batchSize(Math.min(query.limit(), 1_000)))
          .map(MessageDocuments::toMessage);
      if (!oldestFirst) {
        page = reversed(page);
      }
      return page.onErrorMap(e -> MongoErrors.wrap("history of room " + Names.quote(room), e));
    });
  }

  /** A page read newest first, turned oldest first. */
  static Flux<Message> reversed(Flux<Message> newestFirst) {
    return newestFirst.collectList().flatMapMany(messages -> {
      Collections.reverse(messages);
      return Flux.fromIterable(messages);
    });
  }
}
