package dev.parley.error;

import dev.parley.protocol.DisconnectReason;

/** The channel disconnected before an operation on it (such as a pending ack) could complete. */
public final class ChannelClosedException extends ParleyException {
  private static final long serialVersionUID = 1L;
  private final DisconnectReason reason;

  public ChannelClosedException(String channelId, DisconnectReason reason) {
    super("channel " + channelId + " disconnected: " + reason.wireName());
    this.reason = reason;
  }

  /** Why the channel disconnected. */
  public DisconnectReason reason() {
    return reason;
  }
}
