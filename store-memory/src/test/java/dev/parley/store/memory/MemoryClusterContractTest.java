package dev.parley.store.memory;

import dev.parley.test.ClusterContractTest;
import dev.parley.test.Nodes;
import dev.parley.test.Timeouts;
import org.junit.jupiter.api.AfterEach;

/** Operations across nodes, three servers sharing one {@link MemoryStore}: what applications test cluster code on. */
class MemoryClusterContractTest extends ClusterContractTest {
  private MemoryStore store;

  @Override
  protected Nodes nodes() {
    store = new MemoryStore();
    return Nodes.sharing(store);
  }

  @AfterEach
  void stopStore() {
    store.stop().block(Timeouts.EXPECTED);
  }
}
