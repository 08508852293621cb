package dev.parley.transport.sse;

import dev.parley.spi.ProviderContext;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportProvider;

/** Provides the {@code "sse"} transport with its default config. */
public final class SseTransportProvider implements TransportProvider {

  /** Cheap: the transport is made by {@link #create}. */
  public SseTransportProvider() {
  }

  @Override
  public String name() {
    return SseTransport.NAME;
  }

  @Override
  public Transport create(ProviderContext context) {
    return new SseTransport(SseTransportConfig.defaults());
  }
}
