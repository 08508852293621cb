package dev.parley;

import org.jspecify.annotations.Nullable;

/**
 * A page of a room's history. Results are always oldest first. With {@code after} set, the page holds
 * the first {@code limit} messages after that id; otherwise it holds the last {@code limit} messages
 * (before {@code before}, when that is set).
 *
 * @param after an exclusive lower bound (message id), or null
 * @param before an exclusive upper bound (message id), or null
 * @param limit the page size, 1 and up (the server caps it at {@link ChatServerConfig#maxHistoryPage()})
 */
public record HistoryQuery(@Nullable String after, @Nullable String before, int limit) {

  public HistoryQuery {
    if (limit <= 0) {
      throw new IllegalArgumentException("history limit must be positive: " + limit);
    }
  }

  /** The last {@code limit} messages. */
  public static HistoryQuery latest(int limit) {
    return new HistoryQuery(null, null, limit);
  }

  /** The first {@code limit} messages after {@code id}. */
  public static HistoryQuery after(String id, int limit) {
    return new HistoryQuery(id, null, limit);
  }

  /** The last {@code limit} messages before {@code id}: the page to show when scrolling back. */
  public static HistoryQuery before(String id, int limit) {
    return new HistoryQuery(null, id, limit);
  }

  /** This query with a smaller limit, if {@code max} is below the current one. */
  public HistoryQuery capped(int max) {
    return limit <= max ? this : new HistoryQuery(after, before, max);
  }
}
