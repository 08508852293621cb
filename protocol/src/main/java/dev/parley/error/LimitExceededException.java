package dev.parley.error;

/** A configured limit was reached (pending acks per channel, for example); the operation was not done. */
public final class LimitExceededException extends ParleyException {
  private static final long serialVersionUID = 1L;
  private final String limit;
  private final long value;

  public LimitExceededException(String limit, long value) {
    super(limit + " limit of " + value + " reached");
    this.limit = limit;
    this.value = value;
  }

  /** The name of the limit, as in {@link dev.parley.ChatServerConfig}. */
  public String limit() {
    return limit;
  }

  /** The configured value of the limit. */
  public long value() {
    return value;
  }
}
