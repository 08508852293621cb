package dev.parley.store.mongo.internal;

import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Background work that only needs its latest value done (trim a room up to N, raise a counter to N):
 * at most one run in flight; values requested meanwhile are merged into one more run with the highest.
 */
public final class LatestJob {
  private static final Logger log = LoggerFactory.getLogger(LatestJob.class);

  private long requested = Long.MIN_VALUE;
  private long done = Long.MIN_VALUE;
  private boolean running;

  /** Asks for the work to be done up to {@code value}, with {@code work}, unless it already is. */
  public void request(long value, LongFunction<Mono<?>> work) {
    synchronized (this) {
      if (value <= requested) {
        return;
      }
      requested = value;
      if (running) {
        return;
      }
      running = true;
    }
    run(value, work);
  }

  private void run(long value, LongFunction<Mono<?>> work) {
    Mono<?> step;
    try {
      step = work.apply(value);
    } catch (RuntimeException e) {
      step = Mono.error(e);
    }
    step.subscribe(r -> { }, e -> finished(value, work, e), () -> finished(value, work, null));
  }

  private void finished(long value, LongFunction<Mono<?>> work, Throwable error) {
    long next;
    synchronized (this) {
      if (error == null) {
        done = Math.max(done, value);
      } else {
        log.debug("background store work up to {} failed; the next post tries again: {}", value, error.toString());
        // Failed: a later request for the same value may run it again.
        requested = done;
      }
      if (requested <= value || error != null) {
        running = false;
        return;
      }
      next = requested;
    }
    run(next, work);
  }

  /** Whether a run is in flight. */
  public synchronized boolean busy() {
    return running;
  }
}
