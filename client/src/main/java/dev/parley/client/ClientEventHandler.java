package dev.parley.client;

/**
 * Handles one named event from the server. Runs on the client's single event thread, one event at a
 * time in arrival order, never on a network thread; it may block, but while it does the client's later
 * events (and {@code onConnect}/{@code onDisconnect} listeners) wait. An exception it throws is logged
 * and does not stop later events.
 */
@FunctionalInterface
public interface ClientEventHandler {

  /**
   * Handles the event.
   *
   * @param event the event, with its arguments and its ack
   * @throws Exception anything; logged at WARN
   */
  void handle(ClientEvent event) throws Exception;
}
