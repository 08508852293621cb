package dev.parley.error;

/** The store failed an operation (the database is unreachable, a write was refused). */
public class StoreException extends ParleyException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
