package dev.parley.spi;

/** Creates a {@link Host}; found with {@link java.util.ServiceLoader}. */
public interface HostProvider {

  /** The name a server's config selects the host by, such as {@code "jetty"}. */
  String name();

  /** Creates the host, not yet started. */
  Host create(ProviderContext context);
}
