package dev.parley.error;

import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * A transport failed, or a connection ended before it could be used. When the failure came with a number,
 * it is either a WebSocket close code ({@link #closeCode()}) or an HTTP status ({@link #httpStatus()}),
 * never both, so a caller can tell a refused HTTP handshake (404) from a closed WebSocket (1002).
 * Immutable; safe to pass between threads.
 */
public class TransportException extends ParleyException {
  private static final long serialVersionUID = 1L;
  /** 0 when there is none: a valid close code or HTTP status is always positive. */
  private final int closeCode;
  private final int httpStatus;

  /** A transport failure with no close code and no HTTP status. */
  public TransportException(String message) {
    this(message, 0, 0, null);
  }

  /** A transport failure caused by {@code cause}, with no close code and no HTTP status. */
  public TransportException(String message, Throwable cause) {
    this(message, 0, 0, cause);
  }

  /**
   * Wraps another transport failure, keeping its close code and HTTP status: for rethrowing on the
   * caller's thread a failure that happened on a transport thread.
   */
  public TransportException(String message, TransportException cause) {
    this(message, cause.closeCode, cause.httpStatus, cause);
  }

  private TransportException(String message, int closeCode, int httpStatus, @Nullable Throwable cause) {
    super(message, cause);
    this.closeCode = closeCode;
    this.httpStatus = httpStatus;
  }

  /**
   * A WebSocket connection that was closed with {@code closeCode} (RFC 6455, e.g. 1002 for a protocol
   * error).
   *
   * @throws IllegalArgumentException if {@code closeCode} is not positive
   */
  public static TransportException withCloseCode(String message, int closeCode) {
    return new TransportException(message, positive(closeCode, "closeCode"), 0, null);
  }

  /**
   * An HTTP exchange (the WebSocket upgrade, the SSE stream or a post) answered with {@code httpStatus}.
   *
   * @param cause what reported the status, or null
   * @throws IllegalArgumentException if {@code httpStatus} is not positive
   */
  public static TransportException withHttpStatus(String message, int httpStatus, @Nullable Throwable cause) {
    return new TransportException(message, 0, positive(httpStatus, "httpStatus"), cause);
  }

  private static int positive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  /** The WebSocket close code (RFC 6455) the connection ended with, if it ended with one. */
  public OptionalInt closeCode() {
    return closeCode > 0 ? OptionalInt.of(closeCode) : OptionalInt.empty();
  }

  /** The HTTP status that refused or failed the exchange, if there was one. */
  public OptionalInt httpStatus() {
    return httpStatus > 0 ? OptionalInt.of(httpStatus) : OptionalInt.empty();
  }
}
