package dev.parley.protocol.support;

import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The start and stop rules of every long-lived Parley component (the server, its hosts and stores, the
 * client), written down once. A subclass implements {@link #doStart()} and {@link #doStop()}; the
 * final {@link #start()} and {@link #stop()} decide when those run:
 *
 * <ul>
 *   <li>A component starts at most once. {@code start()} on a started component does nothing; on a
 *       stopping, stopped or failed one it throws, because none of Parley's components can be restarted:
 *       build a new one.
 *   <li>If {@code doStart()} throws, the component is {@link State#FAILED}: {@link #abandonStart} runs
 *       (by default {@code doStop()}, which must therefore cope with a half-done start), and
 *       {@code start()} rethrows what {@code doStart()} threw.
 *   <li>{@code stop()} is idempotent. On a component that never started it only marks it stopped; on a
 *       started one it runs {@code doStop()} once; on a stopped or failed one it does nothing.
 * </ul>
 *
 * <p>Threading: {@code start()} and {@code stop()} may be called from any thread. They are serialised by a
 * private lock, held while {@code doStart()} or {@code doStop()} runs, so a {@code stop()} that arrives
 * during a start waits for the start to finish and then undoes it; a second {@code stop()} waits for the
 * first. Nothing else takes that lock: readers use {@link #state()}, which never blocks. A subclass may call
 * {@code stop()} from inside {@code doStart()} on the same thread (the lock is reentrant).
 */
public abstract class Lifecycle {
  /** Where a component is in its life. */
  public enum State {
    /** Built, not started. */
    NEW,
    /** {@code doStart()} is running. */
    STARTING,
    /** Started and usable. */
    STARTED,
    /** {@code doStop()} is running. */
    STOPPING,
    /** Stopped after a start, or stopped before it ever started. */
    STOPPED,
    /** {@code doStart()} threw; whatever it had started has been released. */
    FAILED
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final String name;
  private volatile State state = State.NEW;

  /**
   * @param name how error messages name the component, such as {@code "MongoStore"}
   */
  protected Lifecycle(String name) {
    this.name = name;
  }

  /**
   * Starts the component, or does nothing if it is started.
   *
   * @throws IllegalStateException if the component is stopping, stopped or failed
   * @throws RuntimeException whatever {@link #doStart()} threw, after the component was marked failed
   */
  public final void start() {
    lock.lock();
    try {
      switch (state) {
        case NEW -> state = State.STARTING;
        case STARTED -> {
          return;
        }
        default -> throw new IllegalStateException(name + " is " + describe(state) + "; make a new one");
      }
      try {
        doStart();
      } catch (RuntimeException | Error e) {
        state = State.FAILED;
        try {
          abandonStart(e);
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
      if (state == State.STARTING) {
        state = State.STARTED;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the component if it is started; otherwise marks a new component stopped, or does nothing. Returns
   * once {@link #doStop()} has returned, here or on the thread that was already stopping.
   *
   * @throws RuntimeException whatever {@code doStop()} threw; the component is stopped all the same
   */
  public final void stop() {
    lock.lock();
    try {
      switch (state) {
        case NEW -> {
          state = State.STOPPED;
          return;
        }
        case STARTED, STARTING -> state = State.STOPPING;
        default -> {
          return;
        }
      }
      try {
        doStop();
      } finally {
        state = State.STOPPED;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Where the component is now; never blocks. */
  public final State state() {
    return state;
  }

  /** Whether the component is started and not yet stopping. */
  public final boolean isRunning() {
    return state == State.STARTED;
  }

  /**
   * Throws unless the component is started: the one check for calls that need it running.
   *
   * @throws IllegalStateException naming the component and what to do: start it, or make a new one
   */
  public final void checkStarted() {
    State now = state;
    if (now != State.STARTED) {
      throw new IllegalStateException(now == State.NEW || now == State.STARTING
          ? name + " is not started; call start() first"
          : name + " is " + describe(now));
    }
  }

  /** Acquires what the component needs; runs once, under the lifecycle lock. */
  protected abstract void doStart();

  /** Releases what {@link #doStart()} acquired; runs at most once, under the lifecycle lock. */
  protected abstract void doStop();

  /**
   * Releases what a failed {@link #doStart()} had acquired before it threw. By default {@link #doStop()}.
   *
   * @param failure what {@code doStart()} threw; rethrown by {@code start()} once this returns
   */
  protected void abandonStart(Throwable failure) {
    doStop();
  }

  private static String describe(State state) {
    return switch (state) {
      case STOPPING -> "stopping";
      case STOPPED -> "stopped";
      case FAILED -> "failed";
      default -> state.name().toLowerCase(Locale.ROOT);
    };
  }
}
