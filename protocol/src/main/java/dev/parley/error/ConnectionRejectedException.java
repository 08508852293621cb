package dev.parley.error;

import dev.parley.protocol.Refusal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Thrown by a {@link dev.parley.Middleware} to refuse a handshake. The client receives the message
 * (and the optional data) as Socket.IO's {@code connect_error}, or as the JSON body of an HTTP error
 * for Server-Sent Events (403, or 401 for one made by {@link #unauthorized}); no channel is created.
 */
public class ConnectionRejectedException extends ParleyException {
  private static final long serialVersionUID = 1L;
  private final transient @Nullable JsonNode data;
  private final Refusal refusal;

  public ConnectionRejectedException(String message) {
    this(message, null);
  }

  public ConnectionRejectedException(String message, @Nullable JsonNode data) {
    this(Refusal.REJECTED, message, data);
  }

  private ConnectionRejectedException(Refusal refusal, String message, @Nullable JsonNode data) {
    super(message);
    this.refusal = Objects.requireNonNull(refusal, "refusal");
    this.data = data;
  }

  /**
   * A refusal because the client is not authenticated (not signed in, no or a bad credential). Server-Sent
   * Events answer it with 401 (an {@code EventSource} does not retry after it) instead of 403; WebSocket and
   * polling clients get a CONNECT_ERROR with the message and data as for any refusal.
   */
  public static ConnectionRejectedException unauthorized(String message, @Nullable JsonNode data) {
    return new ConnectionRejectedException(Refusal.UNAUTHORIZED, message, data);
  }

  /**
   * A refusal of the given kind. The Java client makes one from a CONNECT_ERROR packet, or from an SSE
   * refusal's HTTP status, so that both transports report the same exception; a middleware may throw one to
   * choose the kind, and with it the status SSE answers ({@link Refusal#sseStatus()}).
   *
   * @throws NullPointerException if {@code refusal} or {@code message} is null
   */
  public static ConnectionRejectedException of(Refusal refusal, String message, @Nullable JsonNode data) {
    return new ConnectionRejectedException(refusal, Objects.requireNonNull(message, "message"), data);
  }

  /** Extra detail sent to the client with the message, or null. */
  public @Nullable JsonNode data() {
    return data;
  }

  /**
   * Why the handshake is refused: {@link Refusal#UNAUTHORIZED} for one made by {@link #unauthorized}, the
   * given kind for one made by {@link #of}, otherwise {@link Refusal#REJECTED}.
   */
  public Refusal refusal() {
    return refusal;
  }
}
