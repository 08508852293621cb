package dev.parley.internal;

import dev.parley.ServerObserver;
import dev.parley.internal.support.Handles;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Exceptions;

/**
 * The {@link ServerObserver}s of one server, and the engine's calls to them. The observers are a copy-on-write
 * array in a volatile field: they are registered a few times in a server's life and called on every event, so
 * with none registered a call costs one volatile read and an empty loop, and allocates nothing. Each call is
 * guarded: an observer that throws is logged (at warn the first time, at debug after) and skipped, so it
 * cannot break the engine or keep the other observers from being called.
 *
 * <p>Thread-safe: registering and disposing take this object's lock; calls take none.
 */
final class Observers {
  private static final Logger log = LoggerFactory.getLogger(Observers.class);
  private static final Registration[] NONE = {};

  private volatile Registration[] registered = NONE;

  /** Registers an observer; the result's {@code dispose()} unregisters it. */
  Disposable add(ServerObserver observer) {
    Registration registration = new Registration(Objects.requireNonNull(observer, "observer"));
    synchronized (this) {
      Registration[] current = registered;
      Registration[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = registration;
      registered = next;
    }
    return registration;
  }

  private synchronized void remove(Registration registration) {
    Registration[] current = registered;
    for (int i = 0; i < current.length; i++) {
      if (current[i] == registration) {
        Registration[] next = current.length == 1 ? NONE : new Registration[current.length - 1];
        System.arraycopy(current, 0, next, 0, i);
        System.arraycopy(current, i + 1, next, i, current.length - i - 1);
        registered = next;
        return;
      }
    }
  }

  /** Whether any observer is registered: to skip work (a clock read, a subscription) only observers need. */
  boolean any() {
    return registered.length != 0;
  }

  void connectionOpened(String transport) {
    for (Registration r : registered) {
      try {
        r.observer.connectionOpened(transport);
      } catch (Throwable e) {
        r.failed("connectionOpened", e);
      }
    }
  }

  void connectionClosed(String transport, String reason) {
    for (Registration r : registered) {
      try {
        r.observer.connectionClosed(transport, reason);
      } catch (Throwable e) {
        r.failed("connectionClosed", e);
      }
    }
  }

  void eventReceived(String namespace) {
    for (Registration r : registered) {
      try {
        r.observer.eventReceived(namespace);
      } catch (Throwable e) {
        r.failed("eventReceived", e);
      }
    }
  }

  void eventSent(String namespace, int deliveries) {
    for (Registration r : registered) {
      try {
        r.observer.eventSent(namespace, deliveries);
      } catch (Throwable e) {
        r.failed("eventSent", e);
      }
    }
  }

  void slowConsumerDisconnected(String transport) {
    for (Registration r : registered) {
      try {
        r.observer.slowConsumerDisconnected(transport);
      } catch (Throwable e) {
        r.failed("slowConsumerDisconnected", e);
      }
    }
  }

  void eventRefused(String namespace, String cause) {
    for (Registration r : registered) {
      try {
        r.observer.eventRefused(namespace, cause);
      } catch (Throwable e) {
        r.failed("eventRefused", e);
      }
    }
  }

  void recovered(boolean success) {
    for (Registration r : registered) {
      try {
        r.observer.recovered(success);
      } catch (Throwable e) {
        r.failed("recovered", e);
      }
    }
  }

  void replayed(int messages) {
    for (Registration r : registered) {
      try {
        r.observer.replayed(messages);
      } catch (Throwable e) {
        r.failed("replayed", e);
      }
    }
  }

  void storeAppend(long nanos, boolean success) {
    for (Registration r : registered) {
      try {
        r.observer.storeAppend(nanos, success);
      } catch (Throwable e) {
        r.failed("storeAppend", e);
      }
    }
  }

  void ackRoundTrip(long nanos, boolean answered) {
    for (Registration r : registered) {
      try {
        r.observer.ackRoundTrip(nanos, answered);
      } catch (Throwable e) {
        r.failed("ackRoundTrip", e);
      }
    }
  }

  /** One observer as registered: its handle for {@code dispose()}, and whether its failure was logged yet. */
  private final class Registration implements Disposable {
    private static final VarHandle WARNED = Handles.field(MethodHandles.lookup(), "warned", boolean.class);
    private static final VarHandle DISPOSED = Handles.field(MethodHandles.lookup(), "disposed", boolean.class);

    final ServerObserver observer;
    private volatile boolean warned;
    private volatile boolean disposed;

    Registration(ServerObserver observer) {
      this.observer = observer;
    }

    // A failure of the JVM itself (out of memory, a stack overflow) is not the observer's to swallow.
    void failed(String method, Throwable error) {
      Exceptions.throwIfJvmFatal(error);
      if (WARNED.compareAndSet(this, false, true)) {
        log.warn("server observer {} threw from {}; ignored (later failures are logged at debug)", observer,
            method, error);
      } else {
        log.debug("server observer {} threw from {}; ignored", observer, method, error);
      }
    }

    @Override
    public void dispose() {
      if (DISPOSED.compareAndSet(this, false, true)) {
        remove(this);
      }
    }

    @Override
    public boolean isDisposed() {
      return disposed;
    }
  }
}
