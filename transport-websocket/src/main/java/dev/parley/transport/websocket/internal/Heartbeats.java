package dev.parley.transport.websocket.internal;

import dev.parley.protocol.support.Roster;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * One timer for the heartbeats of all of a transport's Engine.IO sessions, WebSocket and polling alike: every tick
 * it asks each session to ping if its {@code pingInterval} has passed, or to end if its pong is late. A session then
 * keeps two numbers rather than a periodic task of its own (a task, the timer's entry and their wrappers: about
 * 0.15 KiB of every idle connection, and a schedule and a cancel on the timer per connection).
 *
 * <p>A tick comes every quarter of the shorter of {@code pingInterval} and {@code pingTimeout}. Time is counted in
 * ticks, not read from a clock: a wall clock set back or forward neither stops the pings nor ends every session at
 * once, and a virtual-time scheduler drives it in tests. A ping goes out within a tick of its interval, and a
 * missing pong ends its session between {@code pingTimeout} and a tick later. The timer runs while any session
 * beats: a transport with none holds no timer. Thread-safe.
 */
public final class Heartbeats {
  private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);
  private static final long MIN_TICK_MILLIS = 1;

  private final Scheduler scheduler;
  private final long tickMillis;
  private final long pingTicks;
  private final long pongTicks;
  // The ticks so far: the heartbeats' clock.
  private volatile long ticks;
  // Guarded by this: the sessions beating, linked through their own fields, and the tick, scheduled while any
  // session beats.
  private final Roster<EngineIoPackets> beating = new Roster<>();
  private @Nullable Disposable timer;

  /** Heartbeats on {@code scheduler} for sessions with these intervals. */
  public Heartbeats(Scheduler scheduler, long pingIntervalMillis, long pingTimeoutMillis) {
    this.scheduler = scheduler;
    this.tickMillis = Math.max(MIN_TICK_MILLIS, Math.min(pingIntervalMillis, pingTimeoutMillis) / 4);
    this.pingTicks = Math.max(1, Math.round((double) pingIntervalMillis / tickMillis));
    // One more: a pong counted from a ping sent just before a tick is given its whole timeout.
    this.pongTicks = Math.max(1, (pingTimeoutMillis + tickMillis - 1) / tickMillis) + 1;
  }

  /** The heartbeats' clock: the ticks so far. */
  long now() {
    return ticks;
  }

  /** The ticks from a ping to the next. */
  long pingTicks() {
    return pingTicks;
  }

  /** The ticks a pong may take, at least {@code pingTimeout}. */
  long pongTicks() {
    return pongTicks;
  }

  /** {@code packets} beats from now on, until {@link #remove}. */
  synchronized void add(EngineIoPackets packets) {
    if (beating.add(packets) && timer == null) {
      try {
        timer = scheduler.schedulePeriodically(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // The server's timers are stopping, and with them every session.
        log.debug("no heartbeat timer: {}", e.toString());
      }
    }
  }

  /** {@code packets} beats no more. Idempotent. */
  synchronized void remove(EngineIoPackets packets) {
    if (beating.remove(packets) && beating.size() == 0 && timer != null) {
      timer.dispose();
      timer = null;
    }
  }

  /** The sessions beating now (for tests). */
  synchronized int size() {
    return beating.size();
  }

  // The sessions beating now, taken under the lock; each beats outside it, so that opens and closes do not wait
  // for a whole tick.
  private synchronized List<EngineIoPackets> beatingNow() {
    return beating.snapshot();
  }

  private void tick() {
    long now = ++ticks;
    for (EngineIoPackets packets : beatingNow()) {
      try {
        packets.beat(now);
      } catch (RuntimeException e) {
        // One session's failure must not stop the others' heartbeats.
        log.warn("a session's heartbeat failed", e);
      }
    }
  }
}
