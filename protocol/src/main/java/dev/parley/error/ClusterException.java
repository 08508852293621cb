package dev.parley.error;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An operation meant for every node sharing the store (a broadcast's {@code join}, {@code fetchChannels},
 * a server-side event with acks and the like) did not complete on all of them: some nodes did not answer
 * within its timeout, or answered that it failed there. What the other nodes did stands: nothing is undone.
 */
public final class ClusterException extends ParleyException {
  private static final long serialVersionUID = 1L;
  private final String operation;
  private final List<String> silentNodes;
  private final Map<String, String> failedNodes;

  /**
   * @param operation what was asked, for the message ({@code "join \"lobby\""})
   * @param timeout how long the operation waited
   * @param silentNodes the nodes that did not answer within {@code timeout}
   * @param failedNodes the nodes that answered with an error, and the error's message
   */
  public ClusterException(String operation, Duration timeout, List<String> silentNodes,
                          Map<String, String> failedNodes) {
    super(message(operation, timeout, silentNodes, failedNodes));
    this.operation = operation;
    this.silentNodes = List.copyOf(silentNodes);
    this.failedNodes = Map.copyOf(failedNodes);
  }

  private static String message(String operation, Duration timeout, List<String> silent, Map<String, String> failed) {
    StringBuilder text = new StringBuilder(operation).append(" did not complete on every node:");
    if (!silent.isEmpty()) {
      text.append(" no answer within ").append(timeout.toMillis()).append(" ms from ").append(silent);
      if (!failed.isEmpty()) {
        text.append(';');
      }
    }
    failed.forEach((node, error) -> text.append(" node ").append(node).append(" failed: ").append(error).append(';'));
    if (text.charAt(text.length() - 1) == ';') {
      text.setLength(text.length() - 1);
    }
    return text.toString();
  }

  /** What was asked. */
  public String operation() {
    return operation;
  }

  /** The nodes that did not answer in time. */
  public List<String> silentNodes() {
    return silentNodes;
  }

  /** The nodes that answered that the operation failed there, with the error's message. */
  public Map<String, String> failedNodes() {
    return failedNodes;
  }
}
