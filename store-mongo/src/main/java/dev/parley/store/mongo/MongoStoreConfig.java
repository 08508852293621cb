package dev.parley.store.mongo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link MongoStore}. Immutable; built with {@link #builder()}, validated in
 * {@link Builder#build()}, copied with {@link #toBuilder()}.
 *
 * <pre>{@code
 * MongoStoreConfig config = MongoStoreConfig.builder()
 *     .connectionString("mongodb://db1,db2,db3/?replicaSet=rs0&w=majority")
 *     .database("chat")
 *     .maxAge(Duration.ofDays(30))
 *     .build();
 * }</pre>
 *
 * @param connectionString the MongoDB connection string; default {@value #DEFAULT_CONNECTION_STRING}.
 *     Unused when the store is given a {@code MongoClient}. Change streams need a replica set or a
 *     sharded cluster (a single-node replica set will do).
 * @param database the database holding the collections; default {@value #DEFAULT_DATABASE}
 * @param messagesCollection the collection of posted messages; default {@code "messages"}
 * @param countersCollection the collection that remembers each room's highest sequence number once its
 *     messages may expire (used only with {@link #maxAge}); default {@code "counters"}
 * @param busCollection the collection carrying emits between nodes; default {@code "bus"}
 * @param sessionsCollection the collection keeping disconnected channels' state for connection state
 *     recovery until it is taken or expires (a TTL index); default {@code "sessions"}
 * @param maxAge how long a message is kept (a TTL index on its creation time), or null to keep messages
 *     until {@link #maxMessagesPerRoom} drops them; default null. MongoDB removes expired documents
 *     once a minute, so a message may outlive its age by about that much.
 * @param maxMessagesPerRoom how many of a room's latest messages are kept, or 0 for no limit; older ones
 *     are deleted just after each post; default 0
 * @param busRetention how long an emit stays in the bus collection after it was delivered (it is only
 *     read through the change stream, within moments); default 60 s
 * @param recoveryLookback how far before the last message seen the feed re-reads the messages collection
 *     when the change stream cannot resume (its resume point has left the oplog); it must cover the clock
 *     skew between nodes plus the longest time a post takes; default 1 min
 * @param collectionFeeds rooms whose messages are the documents of the application's own collections
 *     (see {@link CollectionFeed}); none by default. No two may claim one room, and none may be one of
 *     Parley's own collections.
 */
public record MongoStoreConfig(
    String connectionString,
    String database,
    String messagesCollection,
    String countersCollection,
    String busCollection,
    String sessionsCollection,
    @Nullable Duration maxAge,
    int maxMessagesPerRoom,
    Duration busRetention,
    Duration recoveryLookback,
    List<CollectionFeed> collectionFeeds) {

  /** The default connection string: a MongoDB on this machine. */
  public static final String DEFAULT_CONNECTION_STRING = "mongodb://127.0.0.1:27017";
  /** The default database name. */
  public static final String DEFAULT_DATABASE = "parley";

  public MongoStoreConfig {
    Objects.requireNonNull(connectionString, "connectionString");
    if (!connectionString.startsWith("mongodb://") && !connectionString.startsWith("mongodb+srv://")) {
      throw new IllegalArgumentException("connectionString must start with mongodb:// or mongodb+srv://: \""
          + redact(connectionString) + "\"");
    }
    name("database", database);
    if (database.length() > 63 || database.chars().anyMatch(c -> "/\\. \"$*<>:|?".indexOf(c) >= 0)) {
      throw new IllegalArgumentException("database must be at most 63 chars, none of /\\. \"$*<>:|?: \""
          + database + "\"");
    }
    collection("messagesCollection", messagesCollection);
    collection("countersCollection", countersCollection);
    collection("busCollection", busCollection);
    collection("sessionsCollection", sessionsCollection);
    List<String> collections = List.of(messagesCollection, countersCollection, busCollection, sessionsCollection);
    if (new HashSet<>(collections).size() != collections.size()) {
      throw new IllegalArgumentException("the messages, counters, bus and sessions collections must have"
          + " different names: " + collections);
    }
    if (maxAge != null && maxAge.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("maxAge must be at least 1 s, or null for no limit: " + maxAge);
    }
    if (maxMessagesPerRoom < 0) {
      throw new IllegalArgumentException("maxMessagesPerRoom must be 0 (no limit) or more: " + maxMessagesPerRoom);
    }
    Objects.requireNonNull(busRetention, "busRetention");
    if (busRetention.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("busRetention must be at least 1 s: " + busRetention);
    }
    Objects.requireNonNull(recoveryLookback, "recoveryLookback");
    if (recoveryLookback.isNegative()) {
      throw new IllegalArgumentException("recoveryLookback must not be negative: " + recoveryLookback);
    }
    collectionFeeds = List.copyOf(collectionFeeds);
    for (int i = 0; i < collectionFeeds.size(); i++) {
      CollectionFeed feed = collectionFeeds.get(i);
      if (collections.contains(feed.collection())) {
        throw new IllegalArgumentException("a collection feed cannot read Parley's own collection \""
            + feed.collection() + "\"");
      }
      for (int j = 0; j < i; j++) {
        if (feed.overlaps(collectionFeeds.get(j))) {
          throw new IllegalArgumentException("two collection feeds claim the same rooms (namespace \""
              + feed.namespace() + "\", room prefixes \"" + collectionFeeds.get(j).roomPrefix() + "\" and \""
              + feed.roomPrefix() + "\"): " + collectionFeeds.get(j).collection() + ", " + feed.collection());
        }
      }
    }
  }

  private static void name(String what, @Nullable String value) {
    Objects.requireNonNull(value, what);
    if (value.isEmpty() || value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(what + " must be non-empty, without NUL: \"" + value + "\"");
    }
  }

  private static void collection(String what, String value) {
    name(what, value);
    if (value.startsWith("system.") || value.indexOf('$') >= 0 || value.length() > 120) {
      throw new IllegalArgumentException(what + " must be at most 120 chars, without $, not starting with"
          + " \"system.\": \"" + value + "\"");
    }
  }

  /** The connection string with any password replaced, for messages. */
  static String redact(String connectionString) {
    return connectionString.replaceAll("(://[^:/@]*:)[^@/]*@", "$1****@");
  }

  /** The defaults: a MongoDB on this machine, database {@code parley}, no retention limit. */
  public static MongoStoreConfig defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  @Override
  public String toString() {
    return "MongoStoreConfig[connectionString=" + redact(connectionString) + ", database=" + database
        + ", messagesCollection=" + messagesCollection + ", countersCollection=" + countersCollection
        + ", busCollection=" + busCollection + ", sessionsCollection=" + sessionsCollection + ", maxAge=" + maxAge + ", maxMessagesPerRoom="
        + maxMessagesPerRoom + ", busRetention=" + busRetention + ", recoveryLookback=" + recoveryLookback + ", collectionFeeds=" + collectionFeeds + "]";
  }

  /** Builds a {@link MongoStoreConfig}; not thread-safe. */
  public static final class Builder {
    private String connectionString = DEFAULT_CONNECTION_STRING;
    private String database = DEFAULT_DATABASE;
    private String messagesCollection = "messages";
    private String countersCollection = "counters";
    private String busCollection = "bus";
    private String sessionsCollection = "sessions";
    private @Nullable Duration maxAge;
    private int maxMessagesPerRoom;
    private Duration busRetention = Duration.ofSeconds(60);
    private Duration recoveryLookback = Duration.ofMinutes(1);
    private final List<CollectionFeed> collectionFeeds = new ArrayList<>();

    private Builder() {
    }

    private Builder(MongoStoreConfig config) {
      connectionString = config.connectionString;
      database = config.database;
      messagesCollection = config.messagesCollection;
      countersCollection = config.countersCollection;
      busCollection = config.busCollection;
      sessionsCollection = config.sessionsCollection;
      maxAge = config.maxAge;
      maxMessagesPerRoom = config.maxMessagesPerRoom;
      busRetention = config.busRetention;
      recoveryLookback = config.recoveryLookback;
      collectionFeeds.addAll(config.collectionFeeds);
    }

    /** The MongoDB connection string, such as {@code mongodb://db1,db2/?replicaSet=rs0}. */
    public Builder connectionString(String connectionString) {
      this.connectionString = Objects.requireNonNull(connectionString, "connectionString");
      return this;
    }

    /** The database holding Parley's collections. */
    public Builder database(String database) {
      this.database = Objects.requireNonNull(database, "database");
      return this;
    }

    /** The name of the collection of messages. */
    public Builder messagesCollection(String name) {
      this.messagesCollection = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The name of the collection of per-room counters (used with {@link #maxAge}). */
    public Builder countersCollection(String name) {
      this.countersCollection = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The name of the collection carrying emits between nodes. */
    public Builder busCollection(String name) {
      this.busCollection = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The name of the collection of saved sessions (connection state recovery). */
    public Builder sessionsCollection(String name) {
      this.sessionsCollection = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Keeps messages this long (a TTL index); null keeps them for ever. */
    public Builder maxAge(@Nullable Duration maxAge) {
      this.maxAge = maxAge;
      return this;
    }

    /** Keeps each room's latest {@code count} messages; 0 keeps them all. */
    public Builder maxMessagesPerRoom(int count) {
      this.maxMessagesPerRoom = count;
      return this;
    }

    /** How long an emit stays in the bus collection. */
    public Builder busRetention(Duration retention) {
      this.busRetention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /** How far back the feed re-reads messages when its change stream cannot resume. */
    public Builder recoveryLookback(Duration lookback) {
      this.recoveryLookback = Objects.requireNonNull(lookback, "lookback");
      return this;
    }

    /**
     * Adds rooms whose messages are the documents of one of the application's collections.
     *
     * @see CollectionFeed
     */
    public Builder collectionFeed(CollectionFeed feed) {
      collectionFeeds.add(Objects.requireNonNull(feed, "feed"));
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException if a value is out of range, saying which and why
     */
    public MongoStoreConfig build() {
      return new MongoStoreConfig(connectionString, database, messagesCollection, countersCollection,
          busCollection, sessionsCollection, maxAge, maxMessagesPerRoom, busRetention, recoveryLookback, collectionFeeds);
    }
  }
}
