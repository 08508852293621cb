/**
 * The MongoDB store's internals: documents, ids, the message writer (id claiming and retention), the
 * history reader, the sessions collection, change-stream followers, per-room lanes. Not exported.
 */
@NullMarked
package dev.parley.store.mongo.internal;

import org.jspecify.annotations.NullMarked;
