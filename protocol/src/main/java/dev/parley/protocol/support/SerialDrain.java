package dev.parley.protocol.support;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A queue that any thread may add to and exactly one thread at a time drains: the write loop of a
 * connection, where frames and completion callbacks from many threads must go out one after the other,
 * in order, without a lock and without blocking.
 *
 * <p>The owner gives a <em>pass</em>, a {@link Runnable} that takes what it can from the queue with
 * {@link #poll()} or {@link #peek()}, and may leave items there when it cannot go on yet (a send is in
 * flight, the socket is not ready). Each {@link #offer} or {@link #signal} asks for one more pass; if no
 * pass is running, the caller starts a drain on the executor, which runs passes until no request has come
 * in since the last one began. Requests that come during a pass are not lost and do not stack: they are
 * counted, and the draining thread runs one more pass for all of them.
 *
 * <p>Threading and memory guarantees:
 *
 * <ul>
 *   <li>{@link #offer}, {@link #add}, {@link #signal} and {@link #tryDrainHere} may be called from any
 *       thread, and never block. Passes never overlap: at most one thread is inside the pass at a time.
 *   <li>Everything a thread did before {@code offer(item)} (or before {@code signal()}) happens-before the
 *       pass that runs after it, so that pass sees the item and every field written before it. Every call
 *       to {@code offer} or {@code signal} is followed by at least one whole pass that begins after it (no
 *       lost wake-up), and one pass happens-before the next, even when they run on different threads.
 *   <li>Items from one thread are polled in the order that thread offered them; items from different
 *       threads in the order their offers reached the queue.
 *   <li>A pass that calls {@code offer} or {@code signal} itself (a completion that runs synchronously)
 *       does not recurse: the request is counted and served by the next pass, so the stack stays flat.
 *   <li>Nothing thrown by a pass escapes or stops the drain: it goes to the failure handler, and the next
 *       request gets a pass as usual. If the handler throws too, that goes to the thread's uncaught
 *       exception handler.
 *   <li>With an executor that refuses the drain ({@link RejectedExecutionException}, say when it is shutting
 *       down), the caller drains instead; if the executor throws anything else, that goes to the failure
 *       handler and the caller drains too. With {@code Runnable::run} the caller always drains.
 * </ul>
 *
 * <p>The queue is unbounded: bounding what is queued is the owner's business (the engine's outbox bounds
 * it in packets and bytes before it offers).
 *
 * @param <T> the items queued
 */
public final class SerialDrain<T> {
  private static final VarHandle WIP;

  static {
    try {
      WIP = MethodHandles.lookup().findVarHandle(SerialDrain.class, "wip", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Queue<T> queue = new ConcurrentLinkedQueue<>();
  // Requests for a pass not yet served; whoever raises it from zero drains.
  // Through WIP: a field rather than an atomic object, since there is a drain per connection.
  private volatile int wip;
  private final Executor executor;
  private final Runnable pass;
  private final Consumer<? super Throwable> onFailure;
  private final Runnable loop = this::loop;

  /**
   * @param executor where a drain runs when a request finds none running; {@code Runnable::run} drains on
   *     the calling thread
   * @param pass takes what it can from this queue; called by one thread at a time
   * @param onFailure hears of anything a pass throws, on the thread that ran the pass
   * @throws NullPointerException if any argument is null
   */
  public SerialDrain(Executor executor, Runnable pass, Consumer<? super Throwable> onFailure) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.pass = Objects.requireNonNull(pass, "pass");
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
  }

  /**
   * Queues an item and asks for a pass.
   *
   * @throws NullPointerException if {@code item} is null
   */
  public void offer(T item) {
    add(item);
    signal();
  }

  /**
   * Queues an item without asking for a pass, so that several items go in before the drain sees any of
   * them; follow with {@link #signal()} (or {@link #offer}), or they wait for the next request.
   *
   * @throws NullPointerException if {@code item} is null
   */
  public void add(T item) {
    queue.add(Objects.requireNonNull(item, "item"));
  }

  /** Asks for a pass: the state the pass looks at changed (a send completed, the socket became ready). */
  public void signal() {
    if ((int) WIP.getAndAdd(this, 1) != 0) {
      return;
    }
    try {
      executor.execute(loop);
    } catch (RejectedExecutionException e) {
      loop();
    } catch (RuntimeException | Error e) {
      // The executor failed outright (no thread could be made): report it, and drain here rather than leave
      // the request counted and the queue mute for good.
      failed(e);
      loop();
    }
  }

  /**
   * Drains on the calling thread if no drain is running or requested, as a producer does that would rather
   * help write than wait for the executor.
   *
   * @return whether this thread drained; false if another drain was running or about to run
   */
  public boolean tryDrainHere() {
    if (wip == 0 && WIP.compareAndSet(this, 0, 1)) {
      loop();
      return true;
    }
    return false;
  }

  /** The next item, taken off the queue; null if it is empty. Meant for the pass. */
  public @Nullable T poll() {
    return queue.poll();
  }

  /** The next item, left on the queue; null if it is empty. Meant for the pass. */
  public @Nullable T peek() {
    return queue.peek();
  }

  /** Drops everything queued; safe from any thread (a pass running meanwhile may still take an item). */
  public void clear() {
    queue.clear();
  }

  /** How many items are queued; linear in their number, for tests and diagnostics. */
  public int size() {
    return queue.size();
  }

  /** Whether nothing is queued. */
  public boolean isEmpty() {
    return queue.isEmpty();
  }

  private void loop() {
    int missed = 1;
    for (;;) {
      try {
        pass.run();
      } catch (Throwable e) {
        failed(e);
      }
      missed = (int) WIP.getAndAdd(this, -missed) - missed;
      if (missed == 0) {
        return;
      }
    }
  }

  private void failed(Throwable error) {
    try {
      onFailure.accept(error);
    } catch (Throwable again) {
      again.addSuppressed(error);
      Thread current = Thread.currentThread();
      current.getUncaughtExceptionHandler().uncaughtException(current, again);
    }
  }
}
