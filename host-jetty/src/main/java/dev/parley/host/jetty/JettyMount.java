package dev.parley.host.jetty;

import dev.parley.spi.Mount;
import jakarta.servlet.ServletContext;
import jakarta.websocket.server.ServerContainer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.jspecify.annotations.Nullable;

/**
 * What a transport sees of the Jetty host: its Servlet context, WebSocket container and server, and, when given, the
 * {@link Handler.Sequence} ahead of the Servlet context where a transport may add Jetty core handlers.
 */
final class JettyMount implements Mount {
  private final List<Object> parts;

  JettyMount(ServletContext servletContext, ServerContainer serverContainer, Server server,
             Handler.@Nullable Sequence coreHandlers) {
    this.parts = coreHandlers == null ? List.of(servletContext, serverContainer, server)
        : List.of(servletContext, serverContainer, server, coreHandlers);
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
