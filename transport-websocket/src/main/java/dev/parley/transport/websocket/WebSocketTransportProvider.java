package dev.parley.transport.websocket;

import dev.parley.spi.ProviderContext;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportProvider;

/** Provides the {@code "websocket"} transport with its default config. */
public final class WebSocketTransportProvider implements TransportProvider {

  /** Cheap: the transport is made by {@link #create}. */
  public WebSocketTransportProvider() {
  }

  @Override
  public String name() {
    return WebSocketTransport.NAME;
  }

  @Override
  public Transport create(ProviderContext context) {
    return new WebSocketTransport(WebSocketTransportConfig.defaults());
  }
}
