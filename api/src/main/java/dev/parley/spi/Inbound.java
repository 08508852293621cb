package dev.parley.spi;

import org.jspecify.annotations.Nullable;

/**
 * A frame a client sent, as the engine {@linkplain Session#admit admitted} it before the transport parsed it:
 * its bytes count against the connection's and the node's inbound budget until the packet it becomes has been
 * handled (its handlers have returned, or the ack it carries has been delivered). Thread-safe.
 */
public interface Inbound {

  /**
   * Why the frame was refused, or null if it was admitted. A refused frame is dropped unparsed; over a
   * connection that carries packets the engine has already answered the client (see {@link Session#admit}).
   */
  @Nullable Refusal refusal();

  /** Whether the frame was admitted: {@code refusal() == null}. */
  default boolean admitted() {
    return refusal() == null;
  }

  /**
   * Adds bytes that arrive for this frame after it was admitted (binary attachments). Non-blocking.
   *
   * @return false if they put the connection over its inbound budget: the frame is then cancelled, and the
   *     transport closes the connection as for a message too large
   */
  boolean grow(long bytes);

  /** Gives the frame's bytes back without handing it to the engine (a protocol error, attachments that never came). Idempotent. */
  void cancel();

  /** Why a frame was refused before it was parsed. */
  enum Refusal {
    /** The connection is over its event rate limit (every namespace together, CONNECTs included). */
    RATE_LIMITED,
    /** The node's inbound budget is spent by frames not yet handled, or the connection's is, for now. */
    BUSY,
    /** The frame alone is larger than the connection's inbound budget; it can never be admitted. */
    TOO_LARGE
  }
}
