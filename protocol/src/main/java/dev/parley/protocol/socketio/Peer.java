package dev.parley.protocol.socketio;

/**
 * The end of a Socket.IO connection that sent the packet being decoded. The two ends may send different
 * packets: only a server sends CONNECT_ERROR, and its CONNECT carries the session id where a client's
 * carries auth, so the codec is told which end it is reading.
 */
public enum Peer {
  /** A client sent it: the server is decoding. CONNECT_ERROR is refused. */
  CLIENT,
  /** A server sent it: the client is decoding. CONNECT_ERROR is accepted. */
  SERVER
}
