package dev.parley;

/**
 * Handles a named event from another node ({@link Namespace#onServerEvent}). Runs on the server's handler
 * executor, so it may block; an exception it throws is logged, and a sender waiting for an answer gets none
 * from this node.
 */
@FunctionalInterface
public interface ServerEventHandler {
  void handle(ServerEvent event) throws Exception;
}
