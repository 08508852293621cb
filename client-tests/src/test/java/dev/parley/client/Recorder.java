package dev.parley.client;

import dev.parley.testsupport.EventRecorder;
import dev.parley.testsupport.Timeouts;
import java.time.Duration;

/**
 * Queues what a handler or listener receives, for a test to take with a bounded wait. Tests get one from
 * {@link ClientTestSupport#recorder()}, which checks after each test that nothing was left over.
 */
final class Recorder<T> extends EventRecorder<T> {
  static final Duration WAIT = Timeouts.STEP;
}
