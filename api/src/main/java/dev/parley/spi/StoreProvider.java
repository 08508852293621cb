package dev.parley.spi;

/**
 * Creates a {@link Store}; found with {@link java.util.ServiceLoader}. Cheap public no-arg constructor;
 * the work happens in {@link #create}.
 */
public interface StoreProvider {

  /** The name a server's config selects the store by, such as {@code "memory"}. */
  String name();

  /** Creates the store, not yet started. */
  Store create(ProviderContext context);
}
