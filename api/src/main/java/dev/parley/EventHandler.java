package dev.parley;

/**
 * Handles one named event from a client. Runs on the server's handler executor, never on an I/O
 * thread, so it may block; one channel's handlers run one at a time, in arrival order.
 * An exception it throws is logged and the channel carries on.
 */
@FunctionalInterface
public interface EventHandler {
  void handle(Channel channel, Event event) throws Exception;
}
