package dev.parley.protocol.socketio;

/** Input that is not valid Engine.IO / Socket.IO; the connection that sent it is closed with 1002. */
public final class ProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ProtocolException(String message) {
    super(message, null, false, false);
  }
}
