package dev.parley.internal.outbound;

import dev.parley.internal.support.Handles;
import dev.parley.protocol.DisconnectReason;
import dev.parley.spi.Connection;
import dev.parley.spi.Outgoing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>Threading: {@link #offer} from any thread, never blocking on the client. Writes go out one batch at a
 * time, by one thread at a time. What every outbox of a server shares (its limits, the flush executor, the
 * node's byte count) is in {@link Limits}, and the queue is the outbox's own (packets linked to each other), so
 * that an idle connection's outbox is one object.
 *
 * <p>Engine-internal: public only for {@link dev.parley.internal.DefaultSession}'s package.
 */
public final class Outbox implements Connection.WriteCallback, Runnable {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);
  private static final VarHandle SIZE = Handles.field(MethodHandles.lookup(), "size", int.class);
  private static final VarHandle HELD = Handles.field(MethodHandles.lookup(), "held", long.class);
  private static final VarHandle WIP = Handles.field(MethodHandles.lookup(), "wip", int.class);
  private static final VarHandle ARRIVED = Handles.field(MethodHandles.lookup(), "arrived", Queued.class);

  /**
   * What the outboxes of one server share: where they write, how much each may hold, and the node's count of
   * bytes held by all of them. Engine-internal.
   *
   * @param flusher where a pass runs when an offer finds none running (if it refuses, the caller writes)
   * @param capacity packets an outbox may hold, queued or in flight
   * @param capacityBytes bytes an outbox may hold, as its connection weighs them (one packet always fits)
   * @param nodeBytes bytes held by every outbox of the node
   * @param nodeCapacityBytes what {@code nodeBytes} may reach before a client that is not reading is cut off
   */
  public record Limits(Executor flusher, int capacity, long capacityBytes, AtomicLong nodeBytes,
                       long nodeCapacityBytes) {
  }

  /** Who owns an outbox: told when its client is cut off, from the thread that found out. Engine-internal. */
  public interface Owner {
    /** The outbox is full and its client is not reading: the owner cuts it off as a slow consumer. */
    void outboxOverflowed();

    /** A write failed, or the server failed to write: the connection cannot be served any more. */
    void outboxFailed(Throwable error);
  }

  private final Connection connection;
  private final Owner owner;
  private final Limits limits;
  // Packets offered and not yet taken by a pass, newest first, each linked to the one before it (through
  // ARRIVED): an offer pushes, a pass takes them all at once. Oldest first from there, in taken, which only the
  // pass touches.
  private volatile @Nullable Queued arrived;
  private @Nullable Queued taken;
  // Requests for a pass not yet served (through WIP); whoever raises it from zero runs the passes, on the
  // flusher, until no request has come in since the last pass began. A write that completes synchronously
  // asks from inside a pass and is served by the next, so the stack stays flat. If the flush threads are gone
  // (the server is stopping), the caller writes rather than lose packets.
  private volatile int wip;
  // Packets and bytes queued or in flight, through SIZE and HELD: fields rather than an atomic object each.
  private volatile int size;
  private volatile long held;
  private volatile boolean writing;
  // Batches handed to the transport (written by the one passing thread), and the number of the batch the
  // transport returned from without having written it: the client is not reading.
  private volatile long batches;
  private volatile long heldBatch = -1;
  private volatile int inFlight;
  private volatile long inFlightBytes;
  private volatile boolean closed;
  private volatile @Nullable DisconnectReason closeWhenFlushed;

  /** Engine-internal: an outbox writing to {@code connection}, bounded by {@code limits}, reporting to {@code owner}. */
  public Outbox(Connection connection, Limits limits, Owner owner) {
    this.connection = connection;
    this.limits = limits;
    this.owner = owner;
  }

  // A batch in flight still counts against the capacity: at most a quarter of it, so a healthy client whose
  // transport is still taking the last batch has room for what comes meanwhile.
  private int maxBatch() {
    return Math.max(1, Math.min(connection.maxBatch(), limits.capacity() / 4));
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
    Limits limits = this.limits;
    int capacity = limits.capacity();
    long capacityBytes = limits.capacityBytes();
    long nodeCapacityBytes = limits.nodeCapacityBytes();
    AtomicLong nodeBytes = limits.nodeBytes();
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
          owner.outboxOverflowed();
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
      if (!tryPassHere()) {
        Thread.yield();
      }
      queued = size;
      bytes = held;
      node = nodeBytes.get();
    }
    push(new Queued(packet, weight));
    // Half full: write from here rather than wait for a flush thread.
    if (queued <= capacity / 2 || !tryPassHere()) {
      signal();
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
        limits.nodeBytes().addAndGet(-taken);
        return;
      }
    }
  }

  /** Writes what is queued, then closes the connection with {@code reason}. Engine-internal. */
  public void closeWhenFlushed(DisconnectReason reason) {
    if (closeWhenFlushed == null) {
      closeWhenFlushed = reason;
    }
    signal();
  }

  /** Drops everything queued; later offers are refused. Engine-internal. */
  public void discard() {
    closed = true;
    ARRIVED.setVolatile(this, null);
    size = 0;
    release(Long.MAX_VALUE);
    // What a pass took and has not written is the passing thread's to drop: a pass lets it go once closed, so that
    // a cut-off client's backlog is not kept as long as something holds the outbox.
    signal();
  }

  @Override
  public void written() {
    uncount(inFlight);
    release(inFlightBytes);
    writing = false;
    signal();
  }

  @Override
  public void failed(Throwable error) {
    log.debug("write failed", error);
    writing = false;
    discard();
    owner.outboxFailed(error);
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
      owner.outboxFailed(error);
    } catch (Throwable again) {
      log.debug("closing after a failed write failed too", again);
    }
  }

  private static final class Queued {
    final Outgoing packet;
    final long weight;
    // The packet offered before it while on the arrived stack; the one after it once taken.
    @Nullable Queued next;

    Queued(Outgoing packet, long weight) {
      this.packet = packet;
      this.weight = weight;
    }
  }

  private void push(Queued item) {
    Queued top;
    do {
      top = arrived;
      item.next = top;
    } while (!ARRIVED.compareAndSet(this, top, item));
  }

  // The oldest packet not yet written, taken off; null if none. Only in a pass.
  private @Nullable Queued poll() {
    Queued first = taken;
    if (first == null) {
      // Everything that arrived since the last take, turned oldest first.
      Queued newest = (Queued) ARRIVED.getAndSet(this, null);
      while (newest != null) {
        Queued older = newest.next;
        newest.next = first;
        first = newest;
        newest = older;
      }
      if (first == null) {
        return null;
      }
    }
    taken = first.next;
    first.next = null;
    return first;
  }

  // Asks for a pass: something was queued, or the transport can take the next batch.
  private void signal() {
    if ((int) WIP.getAndAdd(this, 1) != 0) {
      return;
    }
    try {
      limits.flusher().execute(this);
    } catch (RejectedExecutionException e) {
      run();
    } catch (RuntimeException | Error e) {
      // No flush thread could be had: write here rather than leave the request counted and the outbox mute.
      fail(e);
      run();
    }
  }

  // Runs the passes here if none is running or requested: a producer that would rather help write than wait.
  private boolean tryPassHere() {
    if (wip == 0 && WIP.compareAndSet(this, 0, 1)) {
      run();
      return true;
    }
    return false;
  }

  /**
   * Engine-internal, what the flush executor runs: passes until no request for one has come in since the
   * last began. Only ever one thread at a time, the one that raised the request count from zero.
   */
  @Override
  public void run() {
    int missed = 1;
    for (;;) {
      try {
        pass();
      } catch (Throwable e) {
        fail(e);
      }
      missed = (int) WIP.getAndAdd(this, -missed) - missed;
      if (missed == 0) {
        return;
      }
    }
  }

  // One pass: a batch to the transport if it holds none, or the close once all is written. A transport that
  // throws instead of calling back would leave this outbox stuck forever, and an error (out of memory while
  // encoding) would leave the stream open and mute: what a pass throws goes to fail().
  private void pass() {
    if (closed) {
      taken = null;
      ARRIVED.setVolatile(this, null);
      return;
    }
    if (writing) {
      return;
    }
    int maxBatch = maxBatch();
    long maxBytes = limits.capacityBytes() / 4;
    List<Outgoing> batch = null;
    long batchBytes = 0;
    Queued next;
    while ((batch == null || (batch.size() < maxBatch && batchBytes < maxBytes)) && (next = poll()) != null) {
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
      if (limits.nodeBytes().get() > limits.nodeCapacityBytes() && transportHolding()) {
        // The node went over its budget while this client was found not reading: an offer that came in
        // between saw the mark not yet set and queued, and no later offer may come to cut it off.
        owner.outboxOverflowed();
      }
    }
  }
}
