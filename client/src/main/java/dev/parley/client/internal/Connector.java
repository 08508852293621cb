package dev.parley.client.internal;

import java.net.URI;
import java.util.Map;

/**
 * Makes a client's links in one transport, and owns what they share (the WebSocket container, the HTTP
 * client); shut down with the client. What every transport has, the address and the name of the server's
 * acceptance, is kept here once.
 */
abstract class Connector {
  private final URI endpoint;
  private final String answerName;

  /**
   * @param endpoint the address connections go to
   * @param answerName what the server's acceptance is called in this transport, such as "CONNECT answer"
   */
  Connector(URI endpoint, String answerName) {
    this.endpoint = endpoint;
    this.answerName = answerName;
  }

  /** The address connections go to, for messages. */
  final URI endpoint() {
    return endpoint;
  }

  /** What the server's acceptance is called in this transport, for messages: "CONNECT answer". */
  final String answerName() {
    return answerName;
  }

  /** A new link, not yet open. */
  abstract Link newLink(LinkListener listener);

  /**
   * Opens a link made by {@link #newLink} with this attempt's HTTP headers (the builder's and the supplied
   * ones, {@link ClientConfig#credentials()}); called on the client's control thread. The WebSocket connector
   * blocks until the upgrade is done (at most the connect timeout); the SSE connector starts the request
   * and returns. Either way the server's acceptance arrives later, through the link.
   *
   * @throws dev.parley.error.TransportException if the connection could not be made
   */
  abstract void open(Link link, Map<String, String> headers);

  /** Releases the connector's resources once its links are closed; does not wait for threads to end. */
  abstract void shutdown();

  /** As {@link #shutdown}, cutting short what is still running. */
  abstract void shutdownNow();
}
