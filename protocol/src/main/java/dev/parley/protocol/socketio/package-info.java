/**
 * Socket.IO v5 packets over Engine.IO v4 messages: the codec both the server's WebSocket transport and the
 * Java client use, told by {@link dev.parley.protocol.socketio.Peer} which end sent what it decodes, with binary
 * attachments, the namespace prefix, the recovery offset slot and the Engine.IO open packet.
 */
@NullMarked
package dev.parley.protocol.socketio;

import org.jspecify.annotations.NullMarked;
