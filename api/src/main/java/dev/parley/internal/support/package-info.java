/**
 * The engine's building blocks that know nothing of chat: ids, a token bucket, a serial executor, the
 * handler and flush executors, the timer counter and the per-address connection limit. Not exported.
 */
@NullMarked
package dev.parley.internal.support;

import org.jspecify.annotations.NullMarked;
