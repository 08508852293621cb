/**
 * The in-memory store: history and bus within one process. The default when no other store is on the
 * class path, and the store to use in tests; several servers sharing one {@link
 * dev.parley.store.memory.MemoryStore} behave as several nodes.
 */
@NullMarked
package dev.parley.store.memory;

import org.jspecify.annotations.NullMarked;
