package dev.parley.internal;

import dev.parley.DisconnectReason;
import dev.parley.spi.Connection;
import dev.parley.spi.Outgoing;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded outbound buffer of one connection. Offers never block; batches are written one at a time;
 * an offer beyond the capacity calls the overflow action (the session cuts the client off as a slow
 * consumer) instead of growing.
 */
final class Outbox implements Connection.WriteCallback {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);
  private static final int MAX_BATCH = 64;

  private final Connection connection;
  private final int capacity;
  private final Runnable onOverflow;
  private final java.util.function.Consumer<Throwable> onFailure;
  private final Queue<Outgoing> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile boolean writing;
  private volatile int inFlight;
  private volatile boolean closed;
  private volatile @Nullable DisconnectReason closeWhenFlushed;

  Outbox(Connection connection, int capacity, Runnable onOverflow,
         java.util.function.Consumer<Throwable> onFailure) {
    this.connection = connection;
    this.capacity = capacity;
    this.onOverflow = onOverflow;
    this.onFailure = onFailure;
  }

  /** Queues a packet; false if the outbox is closed or full (then the overflow action has run). */
  boolean offer(Outgoing packet) {
    if (closed || closeWhenFlushed != null) {
      return false;
    }
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      onOverflow.run();
      return false;
    }
    queue.add(packet);
    drain();
    return true;
  }

  /** Packets queued or being written. */
  int size() {
    return size.get();
  }

  /** Writes what is queued, then closes the connection with {@code reason}. */
  void closeWhenFlushed(DisconnectReason reason) {
    if (closeWhenFlushed == null) {
      closeWhenFlushed = reason;
    }
    drain();
  }

  /** Drops everything queued; later offers are refused. */
  void discard() {
    closed = true;
    queue.clear();
    size.set(0);
  }

  @Override
  public void written() {
    size.addAndGet(-inFlight);
    writing = false;
    drain();
  }

  @Override
  public void failed(Throwable error) {
    log.debug("write failed", error);
    writing = false;
    discard();
    onFailure.accept(error);
  }

  // Serialised by the wip counter: whoever brings it from 0 loops until nobody else asked; a write that
  // completes synchronously re-enters here, bumps the counter and returns, so the stack stays flat.
  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    for (;;) {
      if (!writing && !closed) {
        List<Outgoing> batch = null;
        Outgoing next;
        while ((batch == null || batch.size() < MAX_BATCH) && (next = queue.poll()) != null) {
          if (batch == null) {
            batch = new ArrayList<>(Math.min(MAX_BATCH, size.get()));
          }
          batch.add(next);
        }
        if (batch != null) {
          writing = true;
          inFlight = batch.size();
          try {
            connection.write(batch, this);
          } catch (RuntimeException e) {
            // A transport that throws instead of calling back would leave this outbox stuck forever.
            failed(e);
          }
        } else {
          DisconnectReason reason = closeWhenFlushed;
          if (reason != null) {
            closed = true;
            connection.close(reason);
          }
        }
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }
}
