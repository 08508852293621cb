package dev.parley.spi;

import java.util.Optional;

/**
 * A host's container as a transport sees it when {@linkplain Transport#mount mounted}: typed access
 * to container objects without {@code parley-api} depending on them.
 */
public interface Mount {

  /**
   * A container object of the given type, for example {@code jakarta.servlet.ServletContext} or
   * {@code jakarta.websocket.server.ServerContainer}, if the host has one.
   */
  <T> Optional<T> unwrap(Class<T> type);

  /**
   * A container object the transport cannot mount without.
   *
   * @return the host's object of the given type
   * @throws IllegalStateException naming the type, if the host has none
   */
  default <T> T require(Class<T> type) {
    return unwrap(type).orElseThrow(() -> new IllegalStateException("the host offers no " + type.getName()));
  }
}
