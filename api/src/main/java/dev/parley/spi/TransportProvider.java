package dev.parley.spi;

/**
 * Creates a {@link Transport}; found with {@link java.util.ServiceLoader}. Implementations have a cheap
 * public no-arg constructor and do their work in {@link #create}.
 */
public interface TransportProvider {

  /** The name a server's config selects the transport by. */
  String name();

  /** Creates the transport, not yet started. */
  Transport create(ProviderContext context);
}
