/**
 * Connection state recovery, in one place: what a channel remembers of what it was sent ({@link
 * dev.parley.internal.recovery.RecoveryJournal}), what is saved when its connection drops ({@link
 * dev.parley.internal.recovery.SavedSession}), and saving and taking it back ({@link
 * dev.parley.internal.recovery.Recovery}). Not exported.
 */
@NullMarked
package dev.parley.internal.recovery;

import org.jspecify.annotations.NullMarked;
