package dev.parley.test.engine;

import dev.parley.spi.ProviderContext;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportProvider;
import dev.parley.test.InProcessTransport;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Provides the {@code "in-process"} transport for the discovery tests, registered in this module's test
 * resources only: the published kit registers nothing, so adding it never changes what a server starts with.
 */
public final class InProcessTransportProvider implements TransportProvider {
  private static final AtomicReference<@Nullable InProcessTransport> LAST = new AtomicReference<>();

  /** Cheap: the transport is made by {@link #create}. */
  public InProcessTransportProvider() {
  }

  /** The transport this provider made last, so that a test can connect through what discovery chose. */
  static @Nullable InProcessTransport lastCreated() {
    return LAST.get();
  }

  @Override
  public String name() {
    return InProcessTransport.NAME;
  }

  @Override
  public Transport create(ProviderContext context) {
    InProcessTransport transport = new InProcessTransport();
    LAST.set(transport);
    return transport;
  }
}
