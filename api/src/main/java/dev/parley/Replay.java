package dev.parley;

import java.util.Objects;

/**
 * Which stored messages a channel receives when it {@link Channel#join(String, Replay) joins} a room,
 * before the room's live messages. The hand-over from replay to live has no gap and no duplicate.
 *
 * <pre>{@code
 * channel.join("lobby", Replay.last(50));          // the last 50 messages, then live ones
 * channel.join("lobby", Replay.after(lastSeenId)); // every message after that id, then live ones
 * }</pre>
 */
public sealed interface Replay {

  /** Live messages only. */
  static Replay none() {
    return None.INSTANCE;
  }

  /**
   * The last {@code count} messages of the room, oldest first, then live ones. The count is capped at
   * {@link ChatServerConfig#maxHistoryPage()}.
   *
   * @throws IllegalArgumentException if {@code count} is not positive
   */
  static Replay last(int count) {
    return new Last(count);
  }

  /**
   * Every message the store still holds for the room, oldest first, then live ones. Same as
   * {@code after("")}. Not capped at {@link ChatServerConfig#maxHistoryPage()}: it is read in pages of
   * {@link ChatServerConfig#replayPageSize()} and bounded only by the store's retention
   * ({@code MemoryStoreConfig.maxMessagesPerRoom}, 10,000 by default; {@code MongoStoreConfig}'s
   * {@code maxMessagesPerRoom} and {@code maxAge}, none by default), and a client too slow for its outbound
   * buffer is cut off as a slow consumer: for a room with a long history prefer {@link #last(int)}.
   */
  static Replay all() {
    return After.ALL;
  }

  /**
   * Every retained message after the one with the given id, oldest first, then live ones.
   *
   * @throws NullPointerException if {@code messageId} is null
   */
  static Replay after(String messageId) {
    return new After(messageId);
  }

  /**
   * Resumes a reconnecting client exactly after the last message it saw, if its handshake names one
   * ({@link Handshake#lastEventId()}), and otherwise replays {@code otherwise}.
   *
   * <pre>{@code
   * channel.join(room, Replay.resume(channel.handshake(), Replay.last(50)));
   * }</pre>
   */
  static Replay resume(Handshake handshake, Replay otherwise) {
    Objects.requireNonNull(otherwise, "otherwise");
    return handshake.lastEventId().<Replay>map(Replay::after).orElse(otherwise);
  }

  /** Live messages only. */
  enum None implements Replay {
    INSTANCE
  }

  /** The last {@code count} messages. */
  record Last(int count) implements Replay {
    public Last {
      if (count <= 0) {
        throw new IllegalArgumentException("replay count must be positive: " + count);
      }
    }
  }

  /** The messages after {@code messageId}. */
  record After(String messageId) implements Replay {
    private static final After ALL = new After("");

    public After {
      Objects.requireNonNull(messageId, "messageId");
    }
  }
}
