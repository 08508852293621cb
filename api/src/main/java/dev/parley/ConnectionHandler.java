package dev.parley;

/**
 * Runs when a channel has connected to a namespace, before any of its events are handled: the place to
 * register {@link Channel#on event handlers} and to {@link Channel#join join} rooms. Runs on the
 * handler executor and may block.
 */
@FunctionalInterface
public interface ConnectionHandler {
  void connected(Channel channel) throws Exception;
}
