package dev.parley.client.internal;

import dev.parley.error.ParleyException;
import dev.parley.error.TransportException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;

/** What a {@link Link} tells its client, on the link's I/O threads (or the control thread for a timeout). */
interface LinkListener {

  /** The link can carry Socket.IO packets now (WebSocket: the Engine.IO open packet arrived). */
  void linkOpened(Link link);

  /**
   * A packet arrived: CONNECT (the server accepted the client; {@code {"sid": channelId}}), EVENT, ACK
   * or DISCONNECT; never a CONNECT_ERROR (see {@link #linkConnectError}).
   */
  void linkPacket(Link link, Packet packet);

  /** The server refused the client (over SSE, the refusal is made from the HTTP status and JSON body). */
  void linkConnectError(Link link, Packet.ConnectError refusal);

  /** The server will not answer the client's {@code emitWithAck} with this ack id, for this reason. */
  void linkAckFailed(Link link, long ackId, ParleyException error);

  /**
   * The link ended, for the given reason; called once, and never for a link the client closed itself.
   * {@code ending} describes it: its message is the detail, with the WebSocket close code or the HTTP
   * status if there was one.
   */
  void linkClosed(Link link, DisconnectReason reason, TransportException ending);
}
