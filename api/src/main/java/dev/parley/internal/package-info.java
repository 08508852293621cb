/**
 * The engine behind {@link dev.parley.ChatServer}: the server and what it is assembled from, its namespaces,
 * rooms, channels and sessions, admission and delivery. The subsystems that stand on their own are in the
 * subpackages: {@code outbound} (a session's outbox and a channel's awaited acks), {@code recovery}
 * (connection state recovery) and {@code support} (building blocks that know nothing of chat). Not exported:
 * nothing outside {@code dev.parley} depends on it.
 */
@NullMarked
package dev.parley.internal;

import org.jspecify.annotations.NullMarked;
