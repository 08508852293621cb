package dev.parley.store.memory;

/**
 * Settings of a {@link MemoryStore}.
 *
 * @param maxMessagesPerRoom how many of a room's latest messages are kept; older ones are dropped, so
 *     memory stays bounded per room. Default 10,000.
 */
public record MemoryStoreConfig(int maxMessagesPerRoom) {

  /** The default retention. */
  public static final int DEFAULT_MAX_MESSAGES_PER_ROOM = 10_000;

  public MemoryStoreConfig {
    if (maxMessagesPerRoom < 1) {
      throw new IllegalArgumentException("maxMessagesPerRoom must be at least 1: " + maxMessagesPerRoom);
    }
  }

  /** The defaults. */
  public static MemoryStoreConfig defaults() {
    return new MemoryStoreConfig(DEFAULT_MAX_MESSAGES_PER_ROOM);
  }
}
