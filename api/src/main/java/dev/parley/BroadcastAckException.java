package dev.parley;

import dev.parley.error.ParleyException;
import java.time.Duration;
import java.util.List;

/**
 * Not every client a {@link Broadcast#emitWithAck} reached answered within its timeout, or not every node
 * answered for its clients: the replies that did come, and how many are missing.
 */
public final class BroadcastAckException extends ParleyException {
  private static final long serialVersionUID = 1L;
  private final transient List<Reply> replies;
  private final int missing;
  private final List<String> silentNodes;

  /**
   * @param event the event sent
   * @param timeout how long the clients had
   * @param replies the replies that came
   * @param missing the clients that were sent the event and did not answer
   * @param silentNodes the nodes that did not answer for their clients at all (theirs are not counted in
   *     {@code missing})
   */
  public BroadcastAckException(String event, Duration timeout, List<Reply> replies, int missing,
                               List<String> silentNodes) {
    super("\"" + event + "\": " + replies.size() + " replies within " + timeout.toMillis() + " ms, " + missing
        + " client(s) did not answer" + (silentNodes.isEmpty() ? "" : ", no answer from nodes " + silentNodes));
    this.replies = List.copyOf(replies);
    this.missing = missing;
    this.silentNodes = List.copyOf(silentNodes);
  }

  /** The replies that came in time. */
  public List<Reply> replies() {
    return replies;
  }

  /** The clients that were sent the event and did not answer in time (on the nodes that answered). */
  public int missing() {
    return missing;
  }

  /** The nodes that did not answer for their clients. */
  public List<String> silentNodes() {
    return silentNodes;
  }
}
