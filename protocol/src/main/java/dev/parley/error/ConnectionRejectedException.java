package dev.parley.error;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Thrown by a {@link dev.parley.Middleware} to refuse a handshake. The client receives the message
 * (and the optional data) as Socket.IO's {@code connect_error}, or as the JSON body of an HTTP error
 * for Server-Sent Events; no channel is created.
 */
public class ConnectionRejectedException extends ParleyException {
  private static final long serialVersionUID = 1L;
  private final transient @Nullable JsonNode data;

  public ConnectionRejectedException(String message) {
    this(message, null);
  }

  public ConnectionRejectedException(String message, @Nullable JsonNode data) {
    super(message);
    this.data = data;
  }

  /** Extra detail sent to the client with the message, or null. */
  public @Nullable JsonNode data() {
    return data;
  }
}
