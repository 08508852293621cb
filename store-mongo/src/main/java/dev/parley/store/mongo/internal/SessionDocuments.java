package dev.parley.store.mongo.internal;

import com.mongodb.client.model.Filters;
import java.time.Duration;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * The shape of a saved session: {@code {_id: {ns, pid}, state, expiresAt}}, removed by a TTL index on
 * {@code expiresAt} once that time has passed. Names are stored as plain strings inside the key and only
 * compared for equality, so no name acts as an operator or a path.
 */
public final class SessionDocuments {
  public static final String NAMESPACE = "ns";
  public static final String PRIVATE_ID = "pid";
  public static final String STATE = "state";
  public static final String EXPIRES_AT = "expiresAt";
  /** The TTL index: MongoDB deletes a session once its {@code expiresAt} has passed, within a minute or so. */
  public static final String TTL_INDEX = "parley_sessions_ttl";

  private SessionDocuments() {
  }

  /** The key of a session; always built in this field order, which key equality depends on. */
  public static BsonDocument key(String namespace, String privateId) {
    return new BsonDocument(NAMESPACE, new BsonString(namespace)).append(PRIVATE_ID, new BsonString(privateId));
  }

  /** The filter naming a session. */
  public static Bson byKey(String namespace, String privateId) {
    return Filters.eq("_id", key(namespace, privateId));
  }

  /**
   * The filter naming a session that has not expired at {@code now}: the TTL index deletes lazily, so a
   * session past its time may still be there.
   */
  public static Bson unexpired(String namespace, String privateId, long nowMillis) {
    return Filters.and(byKey(namespace, privateId), Filters.gt(EXPIRES_AT, new BsonDateTime(nowMillis)));
  }

  /** The document holding a session's state until {@code expiresAtMillis} (epoch millis). */
  public static BsonDocument of(String namespace, String privateId, String state, long expiresAtMillis) {
    return new BsonDocument("_id", key(namespace, privateId))
        .append(STATE, new BsonString(state))
        .append(EXPIRES_AT, new BsonDateTime(expiresAtMillis));
  }

  /**
   * The expiry time, in epoch millis, of a session saved at {@code nowMillis} for {@code ttl}: at least
   * a millisecond later, and the latest representable time if the ttl is too long to count.
   */
  public static long expiry(long nowMillis, Duration ttl) {
    try {
      return Math.addExact(nowMillis, Math.max(1, ttl.toMillis()));
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** The state a session document holds, or null if the document is not one this store wrote. */
  public static @Nullable String state(BsonDocument document) {
    BsonValue state = document.get(STATE);
    return state != null && state.isString() ? state.asString().getValue() : null;
  }
}
