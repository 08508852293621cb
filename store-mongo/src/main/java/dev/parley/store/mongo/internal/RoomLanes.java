package dev.parley.store.mongo.internal;

import com.mongodb.MongoTimeoutException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * This node's posts, one room at a time: a lane per room runs its posts one after the other, so the node
 * never races itself for a room's next sequence number, and remembers the highest sequence number known
 * to be taken in the room. Lanes of idle rooms are dropped past {@code maxIdleLanes}; the next post to
 * such a room reads its last sequence number from the database again.
 *
 * <p>When a post finds the database unreachable ({@link MongoErrors#isUnreachable}), the posts that were
 * already waiting behind it fail at once, without being tried, with a {@code MongoTimeoutException} that
 * quotes its error: tried one by one, each
 * would wait out its own server selection timeout, so the last of n waiting callers would learn of the
 * outage only after n timeouts. A post submitted after that failure is tried as usual, so a caller waits at
 * most about two timeouts, and the lane notices at once when the database is back.
 */
public final class RoomLanes {
  private final Map<RoomKey, Lane> lanes = new ConcurrentHashMap<>();
  private final int maxIdleLanes;

  public RoomLanes(int maxIdleLanes) {
    this.maxIdleLanes = maxIdleLanes;
  }

  /** Runs {@code task} on the room's lane after the posts queued before it; completes as it does. */
  public <T> Mono<T> submit(RoomKey room, Function<Lane, Mono<T>> task) {
    return Mono.create(sink -> {
      for (int tries = 0; tries < 1_000; tries++) {
        Lane lane = lanes.computeIfAbsent(room, Lane::new);
        LongFunction<Runnable> run = outagesSeen -> () -> {
          Throwable outage = lane.outageSince(outagesSeen);
          if (outage != null) {
            sink.error(new MongoTimeoutException("not tried: a post before it in the room found the database"
                + " unreachable while it waited (" + outage.getMessage() + ")"));
            lane.done();
            return;
          }
          Mono<T> step;
          try {
            step = task.apply(lane);
          } catch (RuntimeException e) {
            sink.error(e);
            lane.done();
            return;
          }
          // Not cancelled with the caller: a post that has started finishes, so the lane's order holds.
          step.doOnError(e -> {
                if (MongoErrors.isUnreachable(e)) {
                  lane.outage(e);
                }
              })
              .doFinally(signal -> lane.done())
              .subscribe(sink::success, sink::error, sink::success);
        };
        if (lane.enqueue(run)) {
          return;
        }
      }
      sink.error(new IllegalStateException("no lane for room " + room));
    });
  }

  /** Records that {@code seq} is taken in {@code room}, if this node has a lane for it. */
  public void taken(RoomKey room, long seq) {
    Lane lane = lanes.get(room);
    if (lane != null) {
      lane.taken(seq);
    }
  }

  /** Lanes held (for tests and diagnostics). */
  public int size() {
    return lanes.size();
  }

  /** One room's queue of posts. */
  public final class Lane {
    private final RoomKey room;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private final AtomicLong known = new AtomicLong(-1);
    // Guarded by this: how many posts found the database unreachable, and the last one's error.
    private long outages;
    private @Nullable Throwable lastOutage;
    private boolean running;
    private boolean draining;
    private boolean retired;
    /** Retention work for this room, coalesced: at most one of each in flight. */
    public final LatestJob trim = new LatestJob();
    public final LatestJob floor = new LatestJob();

    private Lane(RoomKey room) {
      this.room = room;
    }

    public RoomKey room() {
      return room;
    }

    /** The highest sequence number known to be taken in the room, or -1 if unknown. */
    public long known() {
      return known.get();
    }

    /** Records that {@code seq} is taken. */
    public void taken(long seq) {
      known.accumulateAndGet(seq, Math::max);
    }

    /** Queues a task, made knowing how many outages the lane had seen when it was queued. */
    private boolean enqueue(LongFunction<Runnable> task) {
      synchronized (this) {
        if (retired) {
          return false;
        }
        queue.add(task.apply(outages));
      }
      drain();
      return true;
    }

    private synchronized void outage(Throwable error) {
      outages++;
      lastOutage = error;
    }

    /** The error of a post that found the database unreachable after {@code seen} outages, or null. */
    private synchronized @Nullable Throwable outageSince(long seen) {
      return outages > seen ? lastOutage : null;
    }

    private void done() {
      synchronized (this) {
        running = false;
      }
      drain();
      retireIfIdle();
    }

    // A trampoline: a task that completes at once does not recurse into the next one.
    private void drain() {
      synchronized (this) {
        if (draining) {
          return;
        }
        draining = true;
      }
      while (true) {
        Runnable next;
        synchronized (this) {
          if (running || queue.isEmpty()) {
            draining = false;
            return;
          }
          next = queue.poll();
          running = true;
        }
        next.run();
      }
    }

    private void retireIfIdle() {
      if (lanes.size() <= maxIdleLanes) {
        return;
      }
      synchronized (this) {
        if (running || draining || !queue.isEmpty() || trim.busy() || floor.busy()) {
          return;
        }
        retired = true;
      }
      lanes.remove(room, this);
    }
  }
}
