/**
 * The engine's building blocks that know nothing of chat: ids, a token bucket, a serial executor, the
 * handler and flush executors, the timer counter, the per-address connection limit, and the compact maps
 * a connection keeps (PairMap, CopyOnWrite). Not exported.
 */
@NullMarked
package dev.parley.internal.support;

import org.jspecify.annotations.NullMarked;
