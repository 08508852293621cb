/**
 * Connection state recovery, in one place: one channel's part of it ({@link
 * dev.parley.internal.recovery.ChannelRecovery}: its private id, the journal of what it was sent, and where it
 * started in each room, {@link dev.parley.internal.recovery.RoomStart}), what is saved when its connection
 * drops ({@link dev.parley.internal.recovery.SavedSession}), and saving and taking it back ({@link
 * dev.parley.internal.recovery.Recovery}). Not exported.
 */
@NullMarked
package dev.parley.internal.recovery;

import org.jspecify.annotations.NullMarked;
