package dev.parley.store.mongo;

import dev.parley.spi.Store;
import dev.parley.test.StoreContractTest;
import dev.parley.testsupport.TestMongo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract, run against {@link MongoStore} on mongo-java-server in this JVM, or on the replica
 * set named by {@code PARLEY_MONGODB_URI}. Every test's store is a new store with its own client on one
 * shared database, as is the second node's store where a test needs one; the contract keeps tests apart
 * by namespace.
 */
class MongoStoreContractTest extends StoreContractTest {
  private static TestMongo mongo;
  private static MongoStoreConfig config;

  @BeforeAll
  static void startMongo() {
    mongo = TestMongo.start();
    config = MongoNodes.config(mongo).build();
  }

  @AfterAll
  static void stopMongo() {
    mongo.close();
  }

  @Override
  protected Store newStore() {
    return new MongoStore(config);
  }

  /** Another node: a second store with its own client on the same database. */
  @Override
  protected Store newPeerStore() {
    return new MongoStore(config);
  }
}
