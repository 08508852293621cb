package dev.parley.error;

import java.time.Duration;

/** The client did not acknowledge an event within the timeout given to {@code emitWithAck}. */
public final class AckTimeoutException extends ParleyException {
  private static final long serialVersionUID = 1L;
  private final String event;
  private final Duration timeout;

  public AckTimeoutException(String event, Duration timeout) {
    super("no ack for event \"" + event + "\" within " + timeout.toMillis() + " ms");
    this.event = event;
    this.timeout = timeout;
  }

  /** The event that was not acknowledged. */
  public String event() {
    return event;
  }

  /** The timeout that expired. */
  public Duration timeout() {
    return timeout;
  }
}
