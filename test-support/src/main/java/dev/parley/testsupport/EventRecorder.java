package dev.parley.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Queues what a handler or listener receives, for a test to take with a bounded wait ({@link Timeouts#STEP}),
 * and to check after the test that nothing unexpected was left over ({@link #assertExhausted()}, as OkHttp's
 * MockWebServer does). Thread-safe: values may arrive on any thread.
 *
 * @param <T> what is recorded
 */
public class EventRecorder<T> implements Consumer<T> {
  private final BlockingQueue<T> queue = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> threads = new LinkedBlockingQueue<>();

  @Override
  public void accept(T value) {
    threads.add(Thread.currentThread().getName());
    queue.add(value);
  }

  /** The next value, waiting at most {@link Timeouts#STEP}; fails the test if none comes. */
  public T next() throws InterruptedException {
    T value = queue.poll(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(value).as("a value within %s", Timeouts.STEP).isNotNull();
    return value;
  }

  /** The name of the thread the next value arrived on; call after {@link #next()}. */
  public String lastThread() throws InterruptedException {
    String name = threads.poll(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(name).isNotNull();
    return name;
  }

  /** Whether every value received so far has been taken. */
  public boolean isEmpty() {
    return queue.isEmpty();
  }

  /** The values received and not taken yet, in order; they stay queued. */
  public List<T> pending() {
    return new ArrayList<>(queue);
  }

  /**
   * Fails the test if a value was received and never taken: a test that expects nothing more says so by
   * calling this at its end, or by letting its fixture call it after each test.
   */
  public void assertExhausted() {
    assertThat(pending()).as("values received and never taken").isEmpty();
  }
}
