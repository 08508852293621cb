package dev.parley.client.internal;

import java.net.URI;

/**
 * Makes a client's links in one transport, and owns what they share (the WebSocket container, the HTTP
 * client); shut down with the client.
 */
interface Connector {

  /** The address connections go to, for messages. */
  URI endpoint();

  /** What the server's acceptance is called in this transport, for messages: "CONNECT answer". */
  String answerName();

  /** A new link, not yet open. */
  Link newLink(LinkListener listener);

  /**
   * Opens a link made by {@link #newLink}; called on the client's control thread. The WebSocket connector
   * blocks until the upgrade is done (at most the connect timeout); the SSE connector starts the request
   * and returns. Either way the server's acceptance arrives later, through the link.
   *
   * @throws dev.parley.error.TransportException if the connection could not be made
   */
  void open(Link link);

  /** Releases the connector's resources once its links are closed; does not wait for threads to end. */
  void shutdown();

  /** As {@link #shutdown}, cutting short what is still running. */
  void shutdownNow();
}
