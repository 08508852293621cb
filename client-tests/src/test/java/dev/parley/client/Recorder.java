package dev.parley.client;

import dev.parley.testsupport.EventRecorder;
import dev.parley.testsupport.Timeouts;
import java.time.Duration;

/** Queues what a handler or listener receives, for a test to take with a bounded wait. */
final class Recorder<T> extends EventRecorder<T> {
  static final Duration WAIT = Timeouts.STEP;

  /** A recorder of client events: pass {@code recorder::accept} as the handler. */
  static Recorder<ClientEvent> events() {
    return new Recorder<>();
  }
}
