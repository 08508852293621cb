/**
 * What both ends of a Parley connection share, server and client alike: the packets and their arguments,
 * the disconnect reasons and errors, the rules for names, and the two wire formats (Socket.IO v5 over
 * Engine.IO v4, and Parley's Server-Sent Events format with its POST bodies). Depends on Jackson only.
 */
module dev.parley.protocol {
  requires transitive tools.jackson.databind;
  requires static org.jspecify;

  exports dev.parley.protocol;
  exports dev.parley.protocol.socketio;
  exports dev.parley.protocol.sse;
  exports dev.parley.error;
  exports dev.parley.protocol.support;
}
