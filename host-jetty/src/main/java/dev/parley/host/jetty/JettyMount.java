package dev.parley.host.jetty;

import dev.parley.spi.Mount;
import jakarta.servlet.ServletContext;
import jakarta.websocket.server.ServerContainer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.server.Server;

/** What a transport sees of the Jetty host: its Servlet context, WebSocket container and server. */
final class JettyMount implements Mount {
  private final List<Object> parts;

  JettyMount(ServletContext servletContext, ServerContainer serverContainer, Server server) {
    this.parts = List.of(servletContext, serverContainer, server);
  }

  @Override
  public <T> Optional<T> unwrap(Class<T> type) {
    Objects.requireNonNull(type, "type");
    for (Object part : parts) {
      if (type.isInstance(part)) {
        return Optional.of(type.cast(part));
      }
    }
    return Optional.empty();
  }
}
