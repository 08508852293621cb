package dev.parley.error;

/** A transport failed, or closed a connection with a protocol close code. */
public class TransportException extends ParleyException {
  private static final long serialVersionUID = 1L;
  private final int closeCode;

  public TransportException(String message, int closeCode) {
    super(message);
    this.closeCode = closeCode;
  }

  public TransportException(String message, int closeCode, Throwable cause) {
    super(message, cause);
    this.closeCode = closeCode;
  }

  /** The close code (WebSocket, RFC 6455) or HTTP status that describes the failure; 0 if none. */
  public int closeCode() {
    return closeCode;
  }
}
