package dev.parley.store.memory;

import dev.parley.spi.Store;
import dev.parley.test.StoreContractTest;

/** The store contract, run against {@link MemoryStore}. */
class MemoryStoreContractTest extends StoreContractTest {

  @Override
  protected Store newStore() {
    return new MemoryStore();
  }
}
