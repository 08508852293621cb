/**
 * What an application programs against: a {@link dev.parley.ChatServer} with
 * {@link dev.parley.Namespace namespaces}, the {@link dev.parley.Channel channels} connected to them,
 * {@link dev.parley.Room rooms} with durable history, and {@link dev.parley.Broadcast broadcasts}.
 *
 * <p>Everything is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.parley;

import org.jspecify.annotations.NullMarked;
