package dev.parley.client.internal;

import dev.parley.protocol.Packet;
import dev.parley.protocol.socketio.RecoveryOffset;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Connection state recovery, client side: the private id the server handed out and the offset of the last
 * posted event received, presented in the CONNECT auth on reconnect so that the server can resume the
 * session and replay what was missed.
 *
 * <p>Threading: {@link #accepted} runs under the client's lock, {@link #take} on the link's reading thread;
 * the fields are volatile so that the others read them from any thread.
 */
final class SessionRecovery {
  private volatile @Nullable String privateId;
  private volatile @Nullable String offset;
  private volatile boolean recovered;

  /** The CONNECT auth: the application's, with the private id and offset added when a session can resume. */
  @Nullable ObjectNode auth(@Nullable ObjectNode application) {
    String pid = privateId;
    if (pid == null) {
      return application;
    }
    ObjectNode auth = application == null ? JsonNodeFactory.instance.objectNode() : application.deepCopy();
    auth.put("pid", pid);
    String last = offset;
    if (last != null) {
      auth.put("offset", last);
    }
    return auth;
  }

  /** The server accepted the client with this private id (null if it does not recover sessions). */
  void accepted(@Nullable String pid) {
    recovered = pid != null && pid.equals(privateId);
    privateId = pid;
    if (!recovered) {
      offset = null;
    }
  }

  /** Whether the last connection resumed the session before it. */
  boolean recovered() {
    return recovered;
  }

  /**
   * The event's arguments without the server's recovery slot, which the application never sees, and its
   * message id: the slot's offset, kept for the next reconnect, or the event's own. The event as it is when
   * the server does not recover sessions.
   */
  RecoveryOffset take(Packet.Event event) {
    if (privateId == null) {
      return new RecoveryOffset(event.args(), event.messageId());
    }
    RecoveryOffset slot = RecoveryOffset.take(event);
    if (slot.offset() == null) {
      return new RecoveryOffset(slot.args(), event.messageId());
    }
    offset = slot.offset();
    return slot;
  }
}
