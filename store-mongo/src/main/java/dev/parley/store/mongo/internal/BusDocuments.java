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
 * The shape of a bus document: {@code {_id, origin, ns, rooms, except, event, args, createdAt}};
 * probes carry {@code probe} instead.
 */
public final class BusDocuments {
  public static final String ORIGIN = "origin";
  public static final String NAMESPACE = "ns";
  public static final String ROOMS = "rooms";
  public static final String EXCEPT = "except";
  public static final String EVENT = "event";
  public static final String ARGS = "args";
  public static final String CREATED_AT = "createdAt";
  public static final String PROBE = "probe";

  private BusDocuments() {
  }

  /** The document carrying an emit. */
  public static BsonDocument of(BusMessage message, Instant now) {
    BsonArray args = new BsonArray();
    for (JsonNode arg : message.args()) {
      args.add(Payloads.toBson(arg));
    }
    return new BsonDocument(ORIGIN, new BsonString(message.origin()))
        .append(NAMESPACE, new BsonString(message.namespace()))
        .append(ROOMS, strings(message.rooms()))
        .append(EXCEPT, strings(message.except()))
        .append(EVENT, new BsonString(message.event()))
        .append(ARGS, args)
        .append(CREATED_AT, new BsonDateTime(now.toEpochMilli()));
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
    return new BusMessage(document.getString(ORIGIN).getValue(), document.getString(NAMESPACE).getValue(),
        stringSet(document.getArray(ROOMS)), stringSet(document.getArray(EXCEPT)),
        document.getString(EVENT).getValue(), args);
  }

  private static Set<String> stringSet(BsonArray array) {
    Set<String> out = new LinkedHashSet<>();
    for (BsonValue value : array) {
      out.add(value.asString().getValue());
    }
    return out;
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
