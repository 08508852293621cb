package dev.parley.spring.boot.autoconfigure;

import static dev.parley.spring.boot.autoconfigure.ParleyAutoConfiguration.set;

import dev.parley.spi.Store;
import dev.parley.store.memory.MemoryStore;
import dev.parley.store.mongo.MongoStore;
import dev.parley.store.mongo.MongoStoreConfig;

/**
 * The stores made from the properties. Each store's classes are named only in a nested class of its own, which
 * the JVM loads (and verifies) only when that store is asked for: a missing module fails with a message that
 * names it, not with a NoClassDefFoundError for the other store.
 */
final class Stores {
  private Stores() {}

  static Store memory() {
    require("dev.parley.store.memory.MemoryStore", "parley-store-memory", "memory");
    return Memory.create();
  }

  static Store mongodb(ParleyProperties.Mongodb mongodb) {
    require("dev.parley.store.mongo.MongoStore", "parley-store-mongo", "mongodb");
    return Mongo.create(mongodb);
  }

  private static void require(String className, String artifact, String type) {
    try {
      Class.forName(className, false, Stores.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("parley.store.type " + type + " needs dev.parley:" + artifact
          + " on the class path", e);
    }
  }

  private static final class Memory {
    static Store create() {
      return new MemoryStore();
    }
  }

  private static final class Mongo {
    static Store create(ParleyProperties.Mongodb mongodb) {
      MongoStoreConfig.Builder config = MongoStoreConfig.builder();
      set(mongodb.getUri(), config::connectionString);
      set(mongodb.getDatabase(), config::database);
      set(mongodb.getMaxAge(), config::maxAge);
      set(mongodb.getMaxMessagesPerRoom(), config::maxMessagesPerRoom);
      return new MongoStore(config.build());
    }
  }
}
