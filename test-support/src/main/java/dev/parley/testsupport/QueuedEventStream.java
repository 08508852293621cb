package dev.parley.testsupport;

import dev.parley.protocol.sse.EventStreamParser;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An event stream whose events are queued for the test to take, in order, each wait bounded by
 * {@link Timeouts#STEP}: an {@code EventSource} read from the test's thread. Pass it to
 * {@code BodyHandlers.fromLineSubscriber}. Thread-safe: events are queued on the client's I/O thread.
 */
public class QueuedEventStream extends EventStreamSubscriber {
  private final BlockingQueue<EventStreamParser.Event> events = new LinkedBlockingQueue<>();
  private final CountDownLatch ended = new CountDownLatch(1);

  public QueuedEventStream() {
    super(null);
  }

  @Override
  protected void event(EventStreamParser.Event event) {
    events.add(event);
  }

  @Override
  public void onError(Throwable error) {
    ended.countDown();
  }

  @Override
  public void onComplete() {
    ended.countDown();
  }

  /**
   * The next event.
   *
   * @throws AssertionError if none arrives within {@link Timeouts#STEP}
   */
  public EventStreamParser.Event next() throws InterruptedException {
    EventStreamParser.Event event = events.poll(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
    if (event == null) {
      throw new AssertionError("no SSE event within " + Timeouts.STEP);
    }
    return event;
  }

  /**
   * The next event of type {@code type}, the others before it dropped.
   *
   * @throws AssertionError if none arrives within {@link Timeouts#STEP}
   */
  public EventStreamParser.Event next(String type) throws InterruptedException {
    long deadline = System.nanoTime() + Timeouts.STEP.toNanos();
    while (true) {
      EventStreamParser.Event event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (event == null) {
        throw new AssertionError("no " + type + " event within " + Timeouts.STEP);
      }
      if (event.type().equals(type)) {
        return event;
      }
    }
  }

  /** Whether the stream ended (completed or failed) within {@code wait}. */
  public boolean awaitEnd(Duration wait) throws InterruptedException {
    return ended.await(wait.toMillis(), TimeUnit.MILLISECONDS);
  }
}
