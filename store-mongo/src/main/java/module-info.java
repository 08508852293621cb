/** Parley's MongoDB store: durable history and change-stream fan-out between nodes. */
module dev.parley.store.mongo {
  requires transitive dev.parley;
  // The driver's jars are automatic modules (Automatic-Module-Name), so javac's requires-automatic lint is
  // off for this module (see its pom).
  requires transitive org.mongodb.driver.reactivestreams;
  requires org.mongodb.driver.core;
  requires org.mongodb.bson;
  requires static org.jspecify;

  exports dev.parley.store.mongo;

  provides dev.parley.spi.StoreProvider with dev.parley.store.mongo.MongoStoreProvider;
}
