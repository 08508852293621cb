package dev.parley.store.mongo.internal;

import dev.parley.spi.BusMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bson.BsonArray;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The shape of a bus document: {@code {_id, origin, ns, rooms, except, event, args, createdAt}}, and
 * {@code kind}, {@code target} and {@code data} when the message has them (an emit has neither target nor data,
 * and a document without a kind, as earlier versions wrote them, is an emit); probes carry {@code probe} instead,
 * and a batch of messages published together {@code {_id, batch: [message documents], createdAt}}.
 */
public final class BusDocuments {
  public static final String ORIGIN = "origin";
  public static final String NAMESPACE = "ns";
  public static final String ROOMS = "rooms";
  public static final String EXCEPT = "except";
  public static final String EVENT = "event";
  public static final String ARGS = "args";
  public static final String CREATED_AT = "createdAt";
  public static final String KIND = "kind";
  public static final String TARGET = "target";
  public static final String DATA = "data";
  public static final String BATCH = "batch";
  public static final String PROBE = "probe";

  private BusDocuments() {
  }

  /** The document carrying an emit. */
  public static BsonDocument of(BusMessage message, Instant now) {
    BsonArray args = new BsonArray();
    for (JsonNode arg : message.args()) {
      args.add(Payloads.toBson(arg));
    }
    BsonDocument document = new BsonDocument(ORIGIN, new BsonString(message.origin()))
        .append(NAMESPACE, new BsonString(message.namespace()))
        .append(ROOMS, strings(message.rooms()))
        .append(EXCEPT, strings(message.except()))
        .append(EVENT, new BsonString(message.event()))
        .append(ARGS, args)
        .append(CREATED_AT, new BsonDateTime(now.toEpochMilli()));
    if (!message.kind().equals(BusMessage.EMIT)) {
      document.append(KIND, new BsonString(message.kind()));
    }
    if (message.target() != null) {
      document.append(TARGET, new BsonString(message.target()));
    }
    if (message.data() != null) {
      document.append(DATA, Payloads.toBson(message.data()));
    }
    return document;
  }

  private static BsonArray strings(Set<String> values) {
    BsonArray out = new BsonArray(new ArrayList<>(values.size()));
    for (String value : values) {
      out.add(new BsonString(value));
    }
    return out;
  }

  /** The emit a document carries. */
  public static BusMessage toMessage(BsonDocument document) {
    List<JsonNode> args = new ArrayList<>();
    for (BsonValue arg : document.getArray(ARGS)) {
      args.add(Payloads.toJson(arg));
    }
    BsonValue kind = document.get(KIND);
    BsonValue target = document.get(TARGET);
    BsonValue data = document.get(DATA);
    return new BusMessage(document.getString(ORIGIN).getValue(),
        target != null && target.isString() ? target.asString().getValue() : null,
        kind != null && kind.isString() ? kind.asString().getValue() : BusMessage.EMIT,
        document.getString(NAMESPACE).getValue(), stringSet(document.getArray(ROOMS)),
        stringSet(document.getArray(EXCEPT)), document.getString(EVENT).getValue(), args,
        data == null ? null : Payloads.toJson(data));
  }

  private static Set<String> stringSet(BsonArray array) {
    Set<String> out = new LinkedHashSet<>();
    for (BsonValue value : array) {
      out.add(value.asString().getValue());
    }
    return out;
  }

  /** A document carrying several messages' documents, in the order they were published. */
  public static BsonDocument batch(BsonArray messages, Instant now) {
    return new BsonDocument(BATCH, messages).append(CREATED_AT, new BsonDateTime(now.toEpochMilli()));
  }

  /** The messages' documents a batch document carries, or null if it carries one message. */
  public static @Nullable BsonArray batchOf(BsonDocument document) {
    BsonValue batch = document.get(BATCH);
    return batch != null && batch.isArray() ? batch.asArray() : null;
  }

  /** A probe document. */
  public static BsonDocument probe(String probeId, long n, Instant now) {
    return new BsonDocument(PROBE, new BsonString(probeId))
        .append("n", new BsonInt64(n))
        .append(CREATED_AT, new BsonDateTime(now.toEpochMilli()));
  }

  /** The probe id of a document, or null if it carries an emit. */
  public static @Nullable String probeId(BsonDocument document) {
    BsonValue probe = document.get(PROBE);
    return probe != null && probe.isString() ? probe.asString().getValue() : null;
  }
}
