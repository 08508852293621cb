package dev.parley.client.internal;

import dev.parley.client.ClientReply;
import dev.parley.error.AckTimeoutException;
import dev.parley.error.ChannelClosedException;
import dev.parley.error.ParleyException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.Packet;
import dev.parley.protocol.support.PendingAcks;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client's {@code emitWithAck}s waiting for the server: the shared {@link PendingAcks} bookkeeping,
 * timed on the client's timers, at most {@code maxPendingAcks} at once. Every result, answer or error,
 * reaches the application on the control thread.
 *
 * <p>Thread-safe.
 */
final class ClientAcks {
  private static final Logger log = LoggerFactory.getLogger(ClientAcks.class);

  private final PendingAcks<Sinks.One<ClientReply>> pending;
  private final ClientThreads threads;
  private final JsonMapper mapper;

  ClientAcks(ClientThreads threads, JsonMapper mapper, int maxPendingAcks) {
    this.pending = new PendingAcks<>(maxPendingAcks);
    this.threads = threads;
    this.mapper = mapper;
  }

  /**
   * Hands out the ack id for an emit of {@code event} and starts its timeout.
   *
   * @throws dev.parley.error.LimitExceededException ({@code maxPendingAcks}) if as many acks are pending
   * @throws IllegalStateException if the client is closed
   */
  long register(String event, Duration timeout, Sinks.One<ClientReply> waiting) {
    try {
      return pending.add(waiting, timeout, threads,
          timedOut -> timedOut.tryEmitError(new AckTimeoutException(event, timeout)));
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("cannot emit " + ClientConfig.quote(event) + ": the client is closed");
    }
  }

  /** Forgets an ack whose packet could not be sent. */
  void forget(long ackId) {
    pending.settle(ackId);
  }

  /** The server answered; an answer to nothing pending (timed out, say) is dropped. */
  void answered(Packet.Ack ack) {
    Sinks.One<ClientReply> waiting = pending.settle(ack.id());
    if (waiting == null) {
      log.debug("ack {} answers nothing pending (timed out?); dropped", ack.id());
      return;
    }
    ClientReply reply = new DefaultClientReply(ack.args(), mapper);
    threads.onControl(() -> waiting.tryEmitValue(reply));
  }

  /** The ack will never come, for this reason, if it is still pending. */
  void fail(long ackId, ParleyException error) {
    Sinks.One<ClientReply> waiting = pending.settle(ackId);
    if (waiting != null) {
      threads.onControl(() -> waiting.tryEmitError(error));
    }
  }

  /** The connection {@code channelId} ended: every pending ack fails with a {@link ChannelClosedException}. */
  void failAll(String channelId, DisconnectReason reason) {
    pending.failAll(waiting -> {
      ChannelClosedException error = new ChannelClosedException(channelId, reason);
      threads.onControl(() -> waiting.tryEmitError(error));
    });
  }
}
