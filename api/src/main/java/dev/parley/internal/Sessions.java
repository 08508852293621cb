package dev.parley.internal;

import dev.parley.internal.support.AddressLimits;
import dev.parley.internal.support.Settling;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.support.Roster;
import dev.parley.spi.Admission;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections open on this node: admission by remote address, registration, and their orderly end when
 * the server closes. Thread-safe: transports open sessions on their own threads, sessions remove themselves
 * on theirs, and {@link Settling} is told when the last one has gone.
 */
final class Sessions {
  private static final Logger log = LoggerFactory.getLogger(Sessions.class);

  // The sessions open, linked through their own fields (a set would keep an entry per connection); guarded by this.
  private final Roster<DefaultSession> open = new Roster<>();
  private final int maxPerAddress;
  private final AddressLimits addressLimits;
  private final Settling settling;

  Sessions(int maxPerAddress, Settling settling) {
    this.maxPerAddress = maxPerAddress;
    this.addressLimits = new AddressLimits(maxPerAddress);
    this.settling = settling;
  }

  /** Whether {@code remoteIp} may open one more connection; the admission is held until released. */
  Optional<Admission> admit(String remoteIp) {
    Optional<Admission> admission = addressLimits.admit(remoteIp);
    if (admission.isEmpty()) {
      log.debug("{} holds {} connections, the limit: refused", remoteIp, maxPerAddress);
    }
    return admission;
  }

  /** Registers a new session and opens it, holding its admission if it has one; returns it. */
  DefaultSession open(DefaultSession session, @Nullable Admission admission) {
    synchronized (this) {
      open.add(session);
    }
    session.opened(admission);
    return session;
  }

  void remove(DefaultSession session) {
    synchronized (this) {
      if (!open.remove(session) || open.size() > 0) {
        return;
      }
    }
    settling.changed();
  }

  private synchronized boolean none() {
    return open.size() == 0;
  }

  /**
   * Asks every session to shut down, waits until they have gone or {@code deadline} ({@link System#nanoTime()})
   * has passed, then disconnects those left.
   */
  void end(long deadline) {
    for (DefaultSession session : snapshot()) {
      session.shutdown();
    }
    settling.await(this::none, deadline);
    for (DefaultSession session : snapshot()) {
      session.disconnect(DisconnectReason.SERVER_SHUTTING_DOWN);
    }
  }

  /** The sessions open now, a copy (for the stats and the close). */
  synchronized List<DefaultSession> snapshot() {
    return open.snapshot();
  }

  /** How many sessions are open now. */
  synchronized int count() {
    return open.size();
  }

  /** The addresses that hold connections now, for the stats. */
  int addresses() {
    return addressLimits.addresses();
  }
}
