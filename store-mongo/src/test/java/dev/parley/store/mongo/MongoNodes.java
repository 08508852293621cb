package dev.parley.store.mongo;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.parley.spi.Store;
import dev.parley.test.Nodes;
import dev.parley.testsupport.TestMongo;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The stores of {@link Nodes} as separate processes would have them: each node's {@link MongoStore} with its
 * own {@link MongoClient}, on one shared database. Pass it to {@link Nodes#eachWith}; close it after the
 * nodes, to close the clients.
 */
final class MongoNodes implements Supplier<MongoStore>, AutoCloseable {
  private final MongoStoreConfig config;
  private final Map<Store, MongoClient> clients = new ConcurrentHashMap<>();

  MongoNodes(MongoStoreConfig config) {
    this.config = config;
  }

  /** A config on a new database of {@code mongo}. */
  static MongoStoreConfig.Builder config(TestMongo mongo) {
    return MongoStoreConfig.builder().connectionString(mongo.connectionString()).database(mongo.newDatabase());
  }

  /** A store with a client of its own, for one node. */
  @Override
  public MongoStore get() {
    MongoClient client = MongoClients.create(config.connectionString());
    MongoStore store = new MongoStore(client, config);
    clients.put(store, client);
    return store;
  }

  /**
   * Kills {@code node} as a crash would: its database connections drop at once (change streams included)
   * and its clients lose their connections without a word.
   */
  void crash(Nodes.Node node) {
    clients.remove(node.store()).close();
  }

  @Override
  public void close() {
    clients.values().forEach(MongoClient::close);
    clients.clear();
  }
}
