package dev.parley.store.memory;

import dev.parley.spi.ProviderContext;
import dev.parley.spi.Store;
import dev.parley.spi.StoreProvider;

/** Provides the {@code "memory"} store, with default retention. */
public final class MemoryStoreProvider implements StoreProvider {

  /** Cheap: the store is made by {@link #create}. */
  public MemoryStoreProvider() {
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public Store create(ProviderContext context) {
    return new MemoryStore();
  }
}
