package dev.parley.protocol;

import org.jspecify.annotations.Nullable;

/**
 * Why the engine refused a handshake: the kind a {@link Packet.ConnectError} carries from the engine to the
 * transport, so that a transport with its own status codes (Server-Sent Events answers over HTTP) picks the
 * status from the kind, never from the message text. Socket.IO's wire format does not carry it: a WebSocket
 * or polling client gets a CONNECT_ERROR with the message (and data) whatever the kind.
 */
public enum Refusal {

  /** The namespace does not exist (message {@code "Invalid namespace"}). SSE answers 404. */
  INVALID_NAMESPACE,

  /**
   * A middleware refused the handshake with a {@link dev.parley.error.ConnectionRejectedException}; also the
   * kind of a CONNECT_ERROR whose kind is not known (one decoded from the wire). SSE answers 403.
   */
  REJECTED,

  /**
   * A middleware refused the handshake with
   * {@link dev.parley.error.ConnectionRejectedException#unauthorized}: the client is not signed in. SSE
   * answers 401.
   */
  UNAUTHORIZED,

  /** The server stopped accepting connections while the handshake ran (it is shutting down). SSE answers 503. */
  SHUTTING_DOWN,

  /**
   * A limit of the connection or the node refused the CONNECT: over the rate limit ({@code "rate limited"}),
   * no room for the frame ({@code "server busy"}), an auth payload over {@code maxAuthBytes}
   * ({@code "auth payload too large"}). SSE answers 429.
   */
  LIMIT,

  /** A middleware failed with anything but a ConnectionRejectedException ({@code "internal server error"}). SSE answers 500. */
  INTERNAL;

  /** The HTTP status Server-Sent Events answer a refused handshake of this kind with. */
  public int sseStatus() {
    return switch (this) {
      case INVALID_NAMESPACE -> 404;
      case REJECTED -> 403;
      case UNAUTHORIZED -> 401;
      case SHUTTING_DOWN -> 503;
      case LIMIT -> 429;
      case INTERNAL -> 500;
    };
  }

  /**
   * The kind of refusal an SSE handshake answered with {@code status} stands for: the reverse of
   * {@link #sseStatus()}.
   *
   * @return the kind, or null if no refusal is answered with that status
   */
  public static @Nullable Refusal ofSseStatus(int status) {
    for (Refusal refusal : values()) {
      if (refusal.sseStatus() == status) {
        return refusal;
      }
    }
    return null;
  }
}
