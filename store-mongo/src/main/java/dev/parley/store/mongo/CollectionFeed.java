package dev.parley.store.mongo;

import dev.parley.protocol.Names;
import java.util.Objects;

/**
 * Rooms whose messages are the documents of one of the application's own collections, whoever inserts them:
 * the application's other services, a script, {@code mongosh}. A room {@code prefix + v} of the namespace
 * holds the documents whose {@code roomField} is the string {@code v}; joining it with a {@code Replay}
 * sends the stored documents in {@code orderField} order, then every document inserted later, read from one
 * change stream per node on the collection, which matches on the server the inserts whose room field holds
 * a string (which of them are rooms with members is decided on the node).
 *
 * <pre>{@code
 * // db.message documents {parent: "42", text: "hi", ...} are room "42"'s messages, event "message"
 * MongoStoreConfig.builder()
 *     .collectionFeed(CollectionFeed.builder("message").roomField("parent").event("message").build())
 *     .build();
 * }</pre>
 *
 * <h3>What a client receives</h3>
 * Each document is one message: its event is {@link #event()}, its payload the whole document as JSON
 * (field names as stored; an {@code ObjectId} as its 24 hex digits, a date as an ISO-8601 string, other
 * BSON types as their JSON-ish text), its id the order field's value (an {@code ObjectId}'s 24 hex
 * digits; a number as 16 hex digits that sort as the numbers do), so {@code Replay.after(id)}, SSE's
 * {@code Last-Event-ID} and connection state recovery resume after it. A document without a string in
 * the room field, or without an order value of the configured type, is not a message of any room (skipped,
 * logged once at WARN per collection; note that {@code mongosh} stores a plain number as a double, which
 * {@link OrderType#NUMBER} does not take: insert {@code NumberLong(n)}). {@code room.post} to a feed room
 * inserts the payload (a JSON object) with the room field set, and an {@code ObjectId} {@code _id} if the
 * order field is {@code _id}; its field names are stored as Parley stores payloads (the characters
 * {@code % $ .} percent-encoded) and come back as stored.
 *
 * <h3>Order and resume</h3>
 * <ul>
 *   <li>History is in order-field order, and live documents come in the order the database committed
 *   them, each once; at a join's hand-over from history to live nothing is lost, and a document both read
 *   and delivered live is sent once (the hand-over remembers the replay's latest 512 ids, among which such a
 *   document is, having been committed as the replay read).
 *   <li>A resume after an id returns the documents with a greater order value. That is exact when a room's
 *   documents commit in order-field order, as they do when one writer at a time inserts them (a driver's
 *   {@code ObjectId}s grow within one process). When several writers insert into one room at once, a
 *   document can commit after another with a greater order value; a client that resumes after that
 *   greater one misses it (live delivery does not). Give such rooms one writer, or accept that window.
 *   <li>An order field other than {@code _id} must be unique within a room: the store refuses to start
 *   unless a unique index has exactly the keys {@code roomField, orderField} (or {@code orderField} alone),
 *   because "after id X" is ambiguous between documents that share X. {@code _id} is unique by definition.
 *   (A partial or sparse unique index passes this check but leaves documents outside it unchecked: avoid
 *   one.)
 *   <li>If the change stream's resume point leaves the oplog while the database is unreachable, documents
 *   inserted meanwhile are not delivered live (a WARN says so); they stay in the history.
 * </ul>
 *
 * @param collection the application's collection
 * @param namespace the namespace whose rooms it feeds; default {@code "/"}
 * @param roomPrefix what the names of the feed's rooms start with, the rest being the room field's value;
 *     default {@code ""}: every room of the namespace
 * @param roomField the field holding a document's room, as a string
 * @param orderField the field that orders a room's documents; default {@code "_id"}
 * @param orderType the BSON type of the order field's values; {@link OrderType#OBJECT_ID} for {@code _id}
 * @param event the event name clients receive the documents under; default {@code "message"}
 */
public record CollectionFeed(String collection, String namespace, String roomPrefix, String roomField,
                             String orderField, OrderType orderType, String event) {

  /** The BSON type of an order field's values. */
  public enum OrderType {
    /** ObjectIds, such as a driver's {@code _id}s: ordered by their time, then process and counter. */
    OBJECT_ID,
    /** 32- or 64-bit integers, such as a per-room counter; needs a unique index. */
    NUMBER
  }

  /**
   * Validates the feed.
   *
   * @throws NullPointerException if a value is null
   * @throws IllegalArgumentException naming the value that is invalid
   */
  public CollectionFeed {
    Objects.requireNonNull(collection, "collection");
    if (collection.isEmpty() || collection.startsWith("system.") || collection.indexOf('$') >= 0
        || collection.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("collection must be a collection name (not empty, no $ or NUL,"
          + " not system.*): \"" + collection + "\"");
    }
    Names.namespace(namespace);
    Objects.requireNonNull(roomPrefix, "roomPrefix");
    field("roomField", roomField);
    field("orderField", orderField);
    Objects.requireNonNull(orderType, "orderType");
    Names.event(event);
    if (roomField.equals(orderField)) {
      throw new IllegalArgumentException("roomField and orderField must differ: \"" + roomField + "\"");
    }
    if (roomField.equals("_id")) {
      throw new IllegalArgumentException("roomField cannot be _id: a room holds many documents");
    }
    if (orderField.equals("_id") && orderType != OrderType.OBJECT_ID) {
      throw new IllegalArgumentException("an _id order field is ordered as ObjectIds; for numbers, name a field"
          + " with a unique index");
    }
  }

  private static void field(String what, String name) {
    Objects.requireNonNull(name, what);
    if (name.isEmpty() || name.startsWith("$") || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(what + " must be a field name (not empty, not starting with $): \""
          + name + "\"");
    }
  }

  /** Whether a room of the namespace is one of this feed's. */
  boolean feeds(String namespace, String room) {
    return this.namespace.equals(namespace) && room.startsWith(roomPrefix) && room.length() > roomPrefix.length();
  }

  /** Whether two feeds could claim one room. */
  boolean overlaps(CollectionFeed other) {
    return namespace.equals(other.namespace)
        && (roomPrefix.startsWith(other.roomPrefix) || other.roomPrefix.startsWith(roomPrefix));
  }

  /**
   * A builder for a feed of {@code collection}, with the defaults (namespace {@code "/"}, no room prefix,
   * order by {@code _id}, event {@code "message"}); {@link Builder#roomField} has no default.
   */
  public static Builder builder(String collection) {
    return new Builder(collection);
  }

  /** Builds a {@link CollectionFeed}; not thread-safe. */
  public static final class Builder {
    private final String collection;
    private String namespace = "/";
    private String roomPrefix = "";
    private String roomField = "";
    private String orderField = "_id";
    private OrderType orderType = OrderType.OBJECT_ID;
    private String event = "message";

    private Builder(String collection) {
      this.collection = Objects.requireNonNull(collection, "collection");
    }

    /** The namespace whose rooms the collection feeds. */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /** What the feed's room names start with; the rest of a name is the room field's value. */
    public Builder roomPrefix(String roomPrefix) {
      this.roomPrefix = roomPrefix;
      return this;
    }

    /** The field holding a document's room (a string). Required. */
    public Builder roomField(String roomField) {
      this.roomField = roomField;
      return this;
    }

    /** Orders by a field of ObjectIds ({@code _id} by default). */
    public Builder orderByObjectId(String field) {
      this.orderField = field;
      this.orderType = OrderType.OBJECT_ID;
      return this;
    }

    /** Orders by a field of integers, which a unique index must cover (see the class comment). */
    public Builder orderByNumber(String field) {
      this.orderField = field;
      this.orderType = OrderType.NUMBER;
      return this;
    }

    /** The event name clients receive the documents under. */
    public Builder event(String event) {
      this.event = event;
      return this;
    }

    /**
     * The feed.
     *
     * @throws IllegalArgumentException naming the value that is invalid
     */
    public CollectionFeed build() {
      return new CollectionFeed(collection, namespace, roomPrefix, roomField, orderField, orderType, event);
    }
  }
}
