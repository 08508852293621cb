package dev.parley.protocol;

/**
 * Why a channel disconnected: a closed set, each with the string Socket.IO uses for it on the wire
 * and in its client's {@code disconnect} event.
 */
public enum DisconnectReason {
  /** The client left the namespace (Socket.IO {@code socket.disconnect()}). */
  CLIENT_NAMESPACE_DISCONNECT("client namespace disconnect"),
  /** The server called {@link Channel#disconnect()}. */
  SERVER_NAMESPACE_DISCONNECT("server namespace disconnect"),
  /** The connection closed (the client went away, a network failure). */
  TRANSPORT_CLOSE("transport close"),
  /** The connection failed with an error. */
  TRANSPORT_ERROR("transport error"),
  /** The client did not answer a heartbeat in time. */
  PING_TIMEOUT("ping timeout"),
  /** The client sent something that is not valid protocol; the connection was closed. */
  PARSE_ERROR("parse error"),
  /** The client could not keep up and its bounded outbound buffer overflowed. */
  SLOW_CONSUMER("slow consumer"),
  /** The server is closing. */
  SERVER_SHUTTING_DOWN("server shutting down"),
  /**
   * The server closed the connection because it joined no namespace within
   * {@link ChatServerConfig#connectTimeout()} (Socket.IO's reason for the same).
   */
  FORCED_SERVER_CLOSE("forced server close"),
  /**
   * The client sent events faster than {@link ChatServerConfig#maxEventsPerSecond()} allows and the
   * server is configured to {@linkplain ChatServerConfig#disconnectOnRateLimit() disconnect} such a
   * channel; the channel left its namespace.
   */
  RATE_LIMITED("rate limited"),
  /**
   * The client sent a frame larger than the transport accepts, or one that would hold more memory once
   * parsed than the connection's inbound budget ({@link ChatServerConfig#maxInboundBytes()}); WebSocket close 1009.
   */
  MESSAGE_TOO_LARGE("message too large");

  private final String wireName;

  DisconnectReason(String wireName) {
    this.wireName = wireName;
  }

  /** The reason as Socket.IO names it, for example {@code "ping timeout"}. */
  public String wireName() {
    return wireName;
  }
}
