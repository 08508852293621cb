/**
 * The engine behind {@link dev.parley.ChatServer}: the server, its namespaces, channels, sessions and their
 * outboxes. Recovery and the generic building blocks are in the subpackages. Not exported: nothing outside
 * {@code dev.parley} depends on it.
 */
@NullMarked
package dev.parley.internal;

import org.jspecify.annotations.NullMarked;
