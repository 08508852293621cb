package dev.parley;

import dev.parley.error.ConnectionRejectedException;

/**
 * Checks a handshake before a channel exists. Middleware of a namespace run in the order they were
 * added, each receiving the handshake the previous one returned; the channel is created with the last
 * one. Runs on the handler executor and may block (a database lookup).
 *
 * <pre>{@code
 * server.namespace("/").use(handshake -> {
 *   String user = handshake.cookie("nick")
 *       .orElseThrow(() -> new ConnectionRejectedException("sign in first"));
 *   return handshake.withPrincipal(() -> user);
 * });
 * }</pre>
 */
@FunctionalInterface
public interface Middleware {

  /**
   * Accepts, enriches or refuses a handshake.
   *
   * @return the handshake to continue with (the same one, or one from {@code withPrincipal}/{@code withAttribute})
   * @throws ConnectionRejectedException to refuse it; the client sees the message. Any other exception
   *     refuses it too, with the message {@code "internal server error"}, and is logged
   */
  Handshake handle(Handshake handshake) throws Exception;
}
