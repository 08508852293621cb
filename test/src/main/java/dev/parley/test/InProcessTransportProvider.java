package dev.parley.test;

import dev.parley.spi.ProviderContext;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportProvider;

/** Provides the {@code "in-process"} transport. */
public final class InProcessTransportProvider implements TransportProvider {

  /** Cheap: the transport is made by {@link #create}. */
  public InProcessTransportProvider() {
  }

  @Override
  public String name() {
    return InProcessTransport.NAME;
  }

  @Override
  public Transport create(ProviderContext context) {
    return new InProcessTransport();
  }
}
