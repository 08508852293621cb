/**
 * Socket.IO v5 packets over Engine.IO v4 messages: the codec both the server's WebSocket transport and the
 * Java client use, with binary attachments, the namespace prefix and the recovery offset slot.
 */
@NullMarked
package dev.parley.protocol.socketio;

import org.jspecify.annotations.NullMarked;
