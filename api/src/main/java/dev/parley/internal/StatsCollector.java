package dev.parley.internal;

import dev.parley.ServerStats;
import dev.parley.internal.recovery.Recovery;
import dev.parley.internal.support.TimerCounter;
import dev.parley.spi.Transport;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The counters only the server keeps (events refused as busy or rate-limited, bytes held by the node
 * budgets), and the assembly of {@link ServerStats} from them and from what the namespaces, sessions,
 * transports and timers hold. Thread-safe: the counters are atomic, and a snapshot reads concurrent
 * collections, so its numbers are each current but not taken at one instant.
 */
final class StatsCollector {
  private static final Logger log = LoggerFactory.getLogger(StatsCollector.class);

  private final Collection<DefaultNamespace> namespaces;
  private final Sessions sessions;
  private final Components components;
  private final Recovery recovery;
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder busy = new LongAdder();
  // Bytes queued for every connection, and bytes of frames admitted but not yet handled (the node budgets).
  private final AtomicLong outboundBytes = new AtomicLong();
  private final AtomicLong inboundBytes = new AtomicLong();

  StatsCollector(Collection<DefaultNamespace> namespaces, Sessions sessions, Components components,
      Recovery recovery) {
    this.namespaces = namespaces;
    this.sessions = sessions;
    this.components = components;
    this.recovery = recovery;
  }

  AtomicLong outboundBytes() {
    return outboundBytes;
  }

  AtomicLong inboundBytes() {
    return inboundBytes;
  }

  void countBusy() {
    busy.increment();
  }

  void countRateLimited() {
    rateLimited.increment();
  }

  ServerStats snapshot() {
    int channels = 0;
    int rooms = 0;
    int memberships = 0;
    for (DefaultNamespace namespace : namespaces) {
      channels += namespace.channelCount();
      rooms += namespace.roomCount();
      memberships += namespace.membershipCount();
    }
    int pendingAcks = 0;
    int acksOwed = 0;
    int queued = 0;
    List<DefaultSession> open = sessions.snapshot();
    for (DefaultSession session : open) {
      queued += session.queued();
      for (DefaultChannel channel : session.channels()) {
        pendingAcks += channel.pendingAcks();
        acksOwed += channel.acksOwed();
      }
    }
    TimerCounter timers = components.timers();
    return new ServerStats(open.size(), channels, rooms, memberships, pendingAcks, acksOwed, queued,
        outboundBytes.get(), inboundBytes.get(), timers == null ? 0 : timers.waiting(), sessions.addresses(),
        recovery.savesInFlight(), byTransport(), rateLimited.sum(), busy.sum());
  }

  // A transport that cannot count must not take the other numbers down with it.
  private Map<String, Integer> byTransport() {
    Map<String, Integer> counts = new HashMap<>();
    for (Transport transport : components.transports()) {
      try {
        transport.stats().forEach((kind, count) -> counts.put(transport.name() + "." + kind, count));
      } catch (RuntimeException e) {
        log.debug("transport {} could not report its stats", transport.name(), e);
      }
    }
    return counts;
  }
}
