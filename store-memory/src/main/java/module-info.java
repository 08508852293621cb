/** Parley's in-memory store: one process, bounded retention per room. */
module dev.parley.store.memory {
  requires transitive dev.parley;
  requires static org.jspecify;

  exports dev.parley.store.memory;

  provides dev.parley.spi.StoreProvider with dev.parley.store.memory.MemoryStoreProvider;
}
