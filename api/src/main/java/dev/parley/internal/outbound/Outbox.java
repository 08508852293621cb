package dev.parley.internal.outbound;

import dev.parley.internal.support.Handles;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.support.SerialDrain;
import dev.parley.spi.Connection;
import dev.parley.spi.Outgoing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded outbound buffer of one connection, bounded in packets and in bytes (each packet weighed by the
 * connection as it is offered), and in bytes across all connections of the node. Batches are written one at a
 * time. An offer beyond the capacity while the transport holds a batch it could not write at once calls the
 * overflow action (the session cuts the client off as a slow consumer) instead of growing; an offer beyond the
 * capacity while the transport takes everything it is given only means the writing lags behind the producer,
 * which then helps write (or yields to the thread that is writing) until there is room: offers never wait on a
 * client.
 *
 * <p>Writing happens on the flush executor, not on the thread that offers. A broadcast then only queues
 * (a fraction of a microsecond per receiver) and the flush threads write; when packets come faster than
 * the writes, they pile up per connection and go out as one batch, which the transport can put in one
 * write. Under load that turns one system call per packet into one per batch; when idle it costs one
 * hand-over between threads.
 *
 * <p>Engine-internal: public only for {@link dev.parley.internal.DefaultSession}'s package.
 */
public final class Outbox implements Connection.WriteCallback {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);
  private static final VarHandle SIZE = Handles.field(MethodHandles.lookup(), "size", int.class);
  private static final VarHandle HELD = Handles.field(MethodHandles.lookup(), "held", long.class);

  private final Connection connection;
  private final int capacity;
  // A batch in flight still counts against the capacity: at most a quarter of it, so a healthy client whose
  // transport is still taking the last batch has room for what comes meanwhile.
  private final int maxBatch;
  private final Runnable onOverflow;
  private final Consumer<Throwable> onFailure;
  private final long capacityBytes;
  // Bytes queued or in flight for every outbox of the node; this outbox's share is in held.
  private final AtomicLong nodeBytes;
  private final long nodeCapacityBytes;
  // Whoever finds the drain idle hands it to the flush executor, which writes until nobody else asked; a write
  // that completes synchronously asks from inside the pass and is served by the next, so the stack stays
  // flat. If the flush threads are gone (the server is stopping), the caller writes rather than lose packets.
  private final SerialDrain<Queued> queue;
  // Packets and bytes queued or in flight, through SIZE and HELD: fields rather than an atomic object each.
  private volatile int size;
  private volatile long held;
  private volatile boolean writing;
  // Batches handed to the transport (written by the one draining thread), and the number of the batch the
  // transport returned from without having written it: the client is not reading.
  private volatile long batches;
  private volatile long heldBatch = -1;
  private volatile int inFlight;
  private volatile long inFlightBytes;
  private volatile boolean closed;
  private volatile @Nullable DisconnectReason closeWhenFlushed;

  /** Engine-internal: an outbox writing to {@code connection} on {@code flusher}, bounded as the class says. */
  public Outbox(Connection connection, Executor flusher, int capacity, long capacityBytes, AtomicLong nodeBytes,
         long nodeCapacityBytes, Runnable onOverflow, Consumer<Throwable> onFailure) {
    this.connection = connection;
    this.queue = new SerialDrain<>(flusher, this::pass, this::fail);
    this.capacity = capacity;
    this.capacityBytes = capacityBytes;
    this.nodeBytes = nodeBytes;
    this.nodeCapacityBytes = nodeCapacityBytes;
    this.maxBatch = Math.max(1, Math.min(connection.maxBatch(), capacity / 4));
    this.onOverflow = onOverflow;
    this.onFailure = onFailure;
  }

  /** Queues a packet; false if the outbox is closed or full (then the overflow action has run). Engine-internal. */
  public boolean offer(Outgoing packet) {
    if (closed || closeWhenFlushed != null) {
      return false;
    }
    long weight;
    try {
      weight = Math.max(1, connection.weigh(packet));
    } catch (Throwable e) {
      // Encoding failed (out of memory, a value the encoder cannot write): this connection cannot be served.
      fail(e);
      return false;
    }
    int queued = (int) SIZE.getAndAdd(this, 1) + 1;
    long bytes = (long) HELD.getAndAdd(this, weight) + weight;
    long node = nodeBytes.addAndGet(weight);
    if (closed) {
      // discard() ran between the check above and the counting: nobody else will give these back.
      uncount(1);
      release(weight);
      return false;
    }
    while (queued > capacity || (bytes > capacityBytes && queued > 1) || node > nodeCapacityBytes) {
      if (closed || transportHolding()) {
        uncount(1);
        release(weight);
        if (!closed) {
          onOverflow.run();
        }
        return false;
      }
      if (queued <= capacity && (bytes <= capacityBytes || queued == 1)) {
        // Only the node is over its budget, and this client reads: the budget is what cuts off clients that
        // do not; waiting here for others' bytes to drain could wait on exactly those.
        break;
      }
      // Full only because writing lags behind this producer (the transport takes what it is given): help
      // write, or let the thread that is writing get on with it. A burst slows its producer down; it never
      // makes a healthy client look slow.
      if (!queue.tryDrainHere()) {
        Thread.yield();
      }
      queued = size;
      bytes = held;
      node = nodeBytes.get();
    }
    queue.add(new Queued(packet, weight));
    // Half full: write from here rather than wait for a flush thread.
    if (queued <= capacity / 2 || !queue.tryDrainHere()) {
      queue.signal();
    }
    return true;
  }

  // A stale mark (the batch completed after the check above) names an older batch or meets writing == false.
  private boolean transportHolding() {
    return writing && heldBatch == batches;
  }

  /** Packets queued or being written. Engine-internal. */
  public int size() {
    return size;
  }

  /** Bytes queued or being written, as the connection weighed them. Engine-internal. */
  public long bytes() {
    return held;
  }

  // Takes n packets off the count, never below zero: a batch that completes after discard() already set it to
  // zero must not make it negative.
  private void uncount(int n) {
    for (;;) {
      int count = size;
      if (SIZE.compareAndSet(this, count, Math.max(0, count - n))) {
        return;
      }
    }
  }

  // Gives back up to n of this outbox's bytes, never more than it holds: a batch that completes after
  // discard() already gave everything back must not take the node's count below what others hold.
  private void release(long n) {
    for (;;) {
      long current = held;
      long taken = Math.min(current, n);
      if (HELD.compareAndSet(this, current, current - taken)) {
        nodeBytes.addAndGet(-taken);
        return;
      }
    }
  }

  /** Writes what is queued, then closes the connection with {@code reason}. Engine-internal. */
  public void closeWhenFlushed(DisconnectReason reason) {
    if (closeWhenFlushed == null) {
      closeWhenFlushed = reason;
    }
    queue.signal();
  }

  /** Drops everything queued; later offers are refused. Engine-internal. */
  public void discard() {
    closed = true;
    queue.clear();
    size = 0;
    release(Long.MAX_VALUE);
  }

  @Override
  public void written() {
    uncount(inFlight);
    release(inFlightBytes);
    writing = false;
    queue.signal();
  }

  @Override
  public void failed(Throwable error) {
    log.debug("write failed", error);
    writing = false;
    discard();
    onFailure.accept(error);
  }

  // A failure of the server's own making, not the client's going away: logged once, at warn, then the
  // connection ends like any failed write.
  private void fail(Throwable error) {
    if (!closed) {
      log.warn("writing to {} failed; closing it", connection, error);
    }
    writing = false;
    discard();
    try {
      onFailure.accept(error);
    } catch (Throwable again) {
      log.debug("closing after a failed write failed too", again);
    }
  }

  private record Queued(Outgoing packet, long weight) {
  }

  // One pass of the drain: a batch to the transport if it holds none, or the close once all is written. A
  // transport that throws instead of calling back would leave this outbox stuck forever, and an error (out of
  // memory while encoding) would leave the stream open and mute: what a pass throws goes to fail().
  private void pass() {
    if (writing || closed) {
      return;
    }
    List<Outgoing> batch = null;
    long batchBytes = 0;
    Queued next;
    while ((batch == null || (batch.size() < maxBatch && batchBytes < capacityBytes / 4))
        && (next = queue.poll()) != null) {
      if (batch == null) {
        batch = new ArrayList<>(Math.min(maxBatch, size));
      }
      batch.add(next.packet);
      batchBytes += next.weight;
    }
    if (batch == null) {
      DisconnectReason reason = closeWhenFlushed;
      if (reason != null) {
        closed = true;
        connection.close(reason);
      }
      return;
    }
    writing = true;
    inFlight = batch.size();
    inFlightBytes = batchBytes;
    long number = batches + 1;
    batches = number;
    connection.write(batch, this);
    if (writing) {
      heldBatch = number;
      if (nodeBytes.get() > nodeCapacityBytes && transportHolding()) {
        // The node went over its budget while this client was found not reading: an offer that came in
        // between saw the mark not yet set and queued, and no later offer may come to cut it off.
        onOverflow.run();
      }
    }
  }
}
