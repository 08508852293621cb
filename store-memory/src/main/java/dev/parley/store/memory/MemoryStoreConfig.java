package dev.parley.store.memory;

/**
 * Settings of a {@link MemoryStore}: how much history and how many saved sessions it keeps, so that no
 * client can make it hold more memory than these budgets.
 *
 * <h2>How bytes are counted</h2>
 * A cheap estimate of the heap a message holds on a 64-bit JVM (compressed references, compact strings),
 * made once per append in one pass over the payload's JSON tree: 176 bytes per message (the message, its
 * id and time, its slots in the room's ring), plus each of its names (namespace, room, event, sender) as a
 * string, plus its payload: 24 bytes per JSON value, 88 more per object and 56 more per object member,
 * 56 more per array, each string (value or member name) 40 bytes plus one byte per char if every char is
 * Latin-1 and two otherwise, a binary value 16 bytes plus its length. A room costs 256 bytes more in
 * {@link #maxBytesTotal}. A saved session counts 160 bytes plus its namespace, private id and state as
 * strings. Measured against the heap, it errs high for small messages: a chat line of a few hundred
 * chars counts about 1.5 times what it holds (names that messages share are counted for each), an object
 * of many members or an array of numbers 1.0 to 1.4 times; a large text counts what it holds within 1%.
 *
 * @param maxMessagesPerRoom how many of a room's latest messages are kept; older ones are dropped, so
 *     memory stays bounded per room. At least 1; default {@value #DEFAULT_MAX_MESSAGES_PER_ROOM}.
 * @param maxBytesPerRoom how many bytes of messages a room keeps: after each append the room's oldest
 *     messages are dropped until the rest fits. A single message larger than this is refused: the append
 *     errors with {@link dev.parley.error.LimitExceededException} naming {@code maxBytesPerRoom}, and the
 *     message is neither stored nor delivered, so no room ever holds more. At least 1,024; default
 *     {@value #DEFAULT_MAX_BYTES_PER_ROOM} (16 MiB).
 * @param maxBytesTotal how many bytes of messages the whole store keeps, over all rooms: when an append
 *     would exceed it, the oldest messages of the room that holds the most bytes are dropped (of the next
 *     largest, when that room holds only the new message), one at a time, until the store fits. The
 *     room whose traffic filled the store pays first, and quiet rooms keep their history as long as
 *     they are the smaller ones; a room left empty is forgotten. A message larger than this (with its
 *     room's 256 bytes) is refused as above, naming {@code maxBytesTotal}. At least 1,024; default
 *     {@link #defaultMaxBytesTotal()}, an eighth of the JVM's maximum heap.
 * @param maxSessionBytes how many bytes of saved recovery sessions the store keeps: when a save would
 *     exceed it, the sessions closest to expiry are dropped until it fits (their clients get a new
 *     session when they come back, as after an expiry). A single state larger than this is not saved:
 *     {@code saveSession} errors with {@link dev.parley.error.StoreException}. At least 1,024; default
 *     {@link #defaultMaxSessionBytes()}, a sixteenth of the JVM's maximum heap.
 */
public record MemoryStoreConfig(int maxMessagesPerRoom, long maxBytesPerRoom, long maxBytesTotal,
                                long maxSessionBytes) {

  /** The default count of messages kept per room. */
  public static final int DEFAULT_MAX_MESSAGES_PER_ROOM = 10_000;

  /** The default bytes kept per room: 16 MiB. */
  public static final long DEFAULT_MAX_BYTES_PER_ROOM = 16L << 20;

  /** The smallest byte bound accepted: less would not hold one chat line with its overhead. */
  public static final long MIN_BYTES = 1024;

  public MemoryStoreConfig {
    if (maxMessagesPerRoom < 1) {
      throw new IllegalArgumentException("maxMessagesPerRoom must be at least 1: " + maxMessagesPerRoom);
    }
    requireBytes("maxBytesPerRoom", maxBytesPerRoom);
    requireBytes("maxBytesTotal", maxBytesTotal);
    requireBytes("maxSessionBytes", maxSessionBytes);
  }

  /** {@code maxMessagesPerRoom} with the default byte bounds. */
  public MemoryStoreConfig(int maxMessagesPerRoom) {
    this(maxMessagesPerRoom, DEFAULT_MAX_BYTES_PER_ROOM, defaultMaxBytesTotal(), defaultMaxSessionBytes());
  }

  private static void requireBytes(String name, long value) {
    if (value < MIN_BYTES) {
      throw new IllegalArgumentException(name + " must be at least " + MIN_BYTES + " bytes: " + value);
    }
  }

  /** The defaults. */
  public static MemoryStoreConfig defaults() {
    return new MemoryStoreConfig(DEFAULT_MAX_MESSAGES_PER_ROOM);
  }

  /** The default {@code maxBytesTotal}: {@link Runtime#maxMemory()} / 8 (at least {@link #MIN_BYTES}). */
  public static long defaultMaxBytesTotal() {
    return Math.max(MIN_BYTES, Runtime.getRuntime().maxMemory() / 8);
  }

  /** The default {@code maxSessionBytes}: {@link Runtime#maxMemory()} / 16 (at least {@link #MIN_BYTES}). */
  public static long defaultMaxSessionBytes() {
    return Math.max(MIN_BYTES, Runtime.getRuntime().maxMemory() / 16);
  }

  /** This configuration with another {@code maxMessagesPerRoom}. */
  public MemoryStoreConfig withMaxMessagesPerRoom(int count) {
    return new MemoryStoreConfig(count, maxBytesPerRoom, maxBytesTotal, maxSessionBytes);
  }

  /** This configuration with another {@code maxBytesPerRoom}. */
  public MemoryStoreConfig withMaxBytesPerRoom(long bytes) {
    return new MemoryStoreConfig(maxMessagesPerRoom, bytes, maxBytesTotal, maxSessionBytes);
  }

  /** This configuration with another {@code maxBytesTotal}. */
  public MemoryStoreConfig withMaxBytesTotal(long bytes) {
    return new MemoryStoreConfig(maxMessagesPerRoom, maxBytesPerRoom, bytes, maxSessionBytes);
  }

  /** This configuration with another {@code maxSessionBytes}. */
  public MemoryStoreConfig withMaxSessionBytes(long bytes) {
    return new MemoryStoreConfig(maxMessagesPerRoom, maxBytesPerRoom, maxBytesTotal, bytes);
  }
}
