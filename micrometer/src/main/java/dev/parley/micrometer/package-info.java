/**
 * Micrometer meters for a Parley {@link dev.parley.ChatServer}, without Spring:
 * {@code new ParleyMetrics(server).bindTo(registry)}. See {@link dev.parley.micrometer.ParleyMetrics}.
 *
 * <p>Everything is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.parley.micrometer;

import org.jspecify.annotations.NullMarked;
