package dev.parley.internal.outbound;

import dev.parley.Reply;
import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.LimitExceededException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.support.PendingAcks;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * The acks one channel waits for: the shared {@link PendingAcks} bookkeeping, with the channel's sinks and
 * the server's scheduler.
 *
 * <p>Engine-internal: public only for {@link dev.parley.internal.DefaultChannel}'s package.
 */
public final class AckRegistry {
  private final PendingAcks<Sinks.One<Reply>> pending;

  /** Engine-internal: a registry allowing at most {@code max} acks pending at once. */
  public AckRegistry(int max) {
    this.pending = new PendingAcks<>(max);
  }

  /**
   * Reserves an id and starts its timeout. Engine-internal.
   *
   * @throws LimitExceededException if {@code max} acks are already pending
   */
  public long register(String event, Sinks.One<Reply> sink, Duration timeout, Scheduler scheduler) {
    return pending.add(sink, timeout,
        (task, delay) -> scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS)::dispose,
        waiting -> waiting.tryEmitError(new AckTimeoutException(event, timeout)));
  }

  /** Whether an id was ever handed out; an ack for any other id is a protocol violation. Engine-internal. */
  public boolean issued(long id) {
    return pending.issued(id);
  }

  /** Completes the pending ack {@code id}, if it is still pending; a late ack is ignored. Engine-internal. */
  public void complete(long id, Reply reply) {
    Sinks.One<Reply> waiting = pending.settle(id);
    if (waiting != null) {
      waiting.tryEmitValue(reply);
    }
  }

  /** Fails every pending ack because the channel disconnected. Engine-internal. */
  public void failAll(String channelId, DisconnectReason reason) {
    pending.failAll(waiting -> waiting.tryEmitError(new ChannelClosedException(channelId, reason)));
  }

  /** Acks currently pending. Engine-internal. */
  public int pendingCount() {
    return pending.size();
  }
}
