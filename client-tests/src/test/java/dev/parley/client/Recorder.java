package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Queues what a handler or listener receives, for a test to take with a bounded wait. */
final class Recorder<T> implements Consumer<T> {
  static final Duration WAIT = Duration.ofSeconds(10);

  private final BlockingQueue<T> queue = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> threads = new LinkedBlockingQueue<>();

  /** A recorder of client events: pass {@code recorder::accept} as the handler. */
  static Recorder<ClientEvent> events() {
    return new Recorder<>();
  }

  @Override
  public void accept(T value) {
    threads.add(Thread.currentThread().getName());
    queue.add(value);
  }

  /** The next value, waiting at most {@link #WAIT}. */
  T next() throws InterruptedException {
    T value = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(value).as("a value within " + WAIT.toSeconds() + " s").isNotNull();
    return value;
  }

  /** The name of the thread the next value arrived on; call after {@link #next()}. */
  String lastThread() throws InterruptedException {
    String name = threads.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(name).isNotNull();
    return name;
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }
}
