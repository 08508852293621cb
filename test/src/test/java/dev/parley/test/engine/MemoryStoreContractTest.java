package dev.parley.test.engine;

import dev.parley.spi.Store;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.StoreContractTest;

/** The store contract, run against {@link MemoryStore}. */
class MemoryStoreContractTest extends StoreContractTest {

  @Override
  protected Store newStore() {
    return new MemoryStore();
  }
}
