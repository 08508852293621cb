package dev.parley.store.mongo.internal;

import dev.parley.Message;
import dev.parley.spi.Post;
import java.time.Instant;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;

/**
 * The shape of a message document:
 * {@code {_id, ns, room, seq, event, payload, sender?, createdAt}}, unique on {@code (ns, room, seq)}.
 * Names are stored as plain strings and only ever compared for equality, so no name acts as an operator.
 */
public final class MessageDocuments {
  public static final String NAMESPACE = "ns";
  public static final String ROOM = "room";
  public static final String SEQ = "seq";
  public static final String EVENT = "event";
  public static final String PAYLOAD = "payload";
  public static final String SENDER = "sender";
  public static final String CREATED_AT = "createdAt";
  /** The unique index that orders each room. */
  public static final String ROOM_SEQ_INDEX = "parley_room_seq";
  /** The TTL index, when messages expire. */
  public static final String TTL_INDEX = "parley_created_ttl";
  /** The namespace of change-stream probes: no real namespace can start with NUL. */
  public static final String PROBE_NAMESPACE = "\0parley-probe";
  /** MongoDB's document limit. */
  public static final long MAX_DOCUMENT_SIZE = 16L * 1024 * 1024;

  private MessageDocuments() {
  }

  /** The filter naming one position in a room: the key the insert claims. */
  public static BsonDocument key(String namespace, String room, long seq) {
    return new BsonDocument(NAMESPACE, new BsonString(namespace))
        .append(ROOM, new BsonString(room))
        .append(SEQ, new BsonInt64(seq));
  }

  /** The filter naming a room. */
  public static BsonDocument room(String namespace, String room) {
    return new BsonDocument(NAMESPACE, new BsonString(namespace)).append(ROOM, new BsonString(room));
  }

  /** The fields a post stores besides its key. */
  public static BsonDocument body(Post post, BsonValue payload, Instant createdAt) {
    BsonDocument body = new BsonDocument(EVENT, new BsonString(post.event()))
        .append(PAYLOAD, payload);
    if (post.sender() != null) {
      body.append(SENDER, new BsonString(post.sender()));
    }
    return body.append(CREATED_AT, new BsonDateTime(createdAt.toEpochMilli()));
  }

  /** The size of the stored document, a little over-estimated for the _id. */
  public static long size(Post post, BsonValue payload) {
    long size = 4 + 1 + (1 + 4 + 12); // document frame and _id
    size += field(NAMESPACE) + string(post.namespace()) + field(ROOM) + string(post.room());
    size += field(SEQ) + 8 + field(EVENT) + string(post.event());
    size += field(PAYLOAD) + Payloads.bsonSize(payload);
    if (post.sender() != null) {
      size += field(SENDER) + string(post.sender());
    }
    return size + field(CREATED_AT) + 8;
  }

  private static long field(String name) {
    return 1 + Payloads.cstringSize(name);
  }

  private static long string(String value) {
    return Payloads.bsonSize(new BsonString(value));
  }

  /** The message a stored document holds. */
  public static Message toMessage(BsonDocument document) {
    String namespace = document.getString(NAMESPACE).getValue();
    String room = document.getString(ROOM).getValue();
    return new Message(
        MessageIds.of(document.getNumber(SEQ).longValue(), namespace, room),
        namespace,
        room,
        document.getString(EVENT).getValue(),
        Payloads.toJson(document.get(PAYLOAD, BsonNull.VALUE)),
        sender(document),
        Instant.ofEpochMilli(document.getDateTime(CREATED_AT).getValue()));
  }

  private static @Nullable String sender(BsonDocument document) {
    BsonValue sender = document.get(SENDER);
    return sender != null && sender.isString() ? sender.asString().getValue() : null;
  }

  /** A room's sequence number in a stored document. */
  public static long seq(BsonDocument document) {
    return document.getNumber(SEQ).longValue();
  }

  /** Whether a document is a change-stream probe rather than a message. */
  public static boolean isProbe(BsonDocument document) {
    BsonValue namespace = document.get(NAMESPACE);
    return namespace != null && namespace.isString() && PROBE_NAMESPACE.equals(namespace.asString().getValue());
  }
}
