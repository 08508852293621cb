/**
 * The MongoDB store: durable history in a MongoDB replica set, and change streams that carry posts and
 * emits to every node using the same database. Start with {@link dev.parley.store.mongo.MongoStore} and
 * {@link dev.parley.store.mongo.MongoStoreConfig}; {@code ChatServer.builder().store("mongo")} finds it
 * through {@link dev.parley.store.mongo.MongoStoreProvider}.
 */
@NullMarked
package dev.parley.store.mongo;

import org.jspecify.annotations.NullMarked;
