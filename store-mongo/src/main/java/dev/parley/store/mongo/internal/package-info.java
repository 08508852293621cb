/** The MongoDB store's internals: documents, ids, change-stream followers, per-room lanes. Not exported. */
@NullMarked
package dev.parley.store.mongo.internal;

import org.jspecify.annotations.NullMarked;
