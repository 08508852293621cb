package dev.parley.store.mongo.internal;

import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.reactivestreams.client.ChangeStreamPublisher;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.parley.error.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.bson.BsonDocument;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Follows the inserts into one collection with a change stream, for as long as the store runs.
 *
 * <ul>
 *   <li>A stream counts as open once it has delivered a probe document this follower inserted: from then
 *   on no insert can be missed, and the probe's resume token is a resume point even if nothing else is
 *   ever inserted.
 *   <li>After an error it reopens from the last resume token, with a growing pause (50 ms to 2 s), as long
 *   as the store runs; a resumed stream continues exactly after the last event delivered.
 *   <li>If the server refuses the resume token (it left the oplog), it opens a new stream, holds back its
 *   events, asks the {@link Handler} for what was inserted since the last event (less a look-back), and
 *   then lets the held-back events through. The handler de-duplicates.
 * </ul>
 *
 * <p>The handler is called one event at a time, never concurrently.
 */
public final class ChangeStreamFollower {
  private static final Logger log = LoggerFactory.getLogger(ChangeStreamFollower.class);
  private static final Duration MIN_BACKOFF = Duration.ofMillis(50);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
  private static final Duration PROBE_INTERVAL = Duration.ofMillis(100);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(15);
  private static final int MAX_HELD = 100_000;
  private static final String REPLICA_SET_HINT =
      " (a single-node replica set will do: mongod --replSet rs0, then rs.initiate() in mongosh)";

  /** What the follower delivers to. */
  public interface Handler {
    /** A document inserted into the collection (probes excluded). */
    void inserted(BsonDocument document);

    /**
     * Documents inserted since about {@code since}, read back after the stream's resume point was lost;
     * or empty when this collection's past is not worth recovering.
     */
    Flux<BsonDocument> recover(Instant since);
  }

  /**
   * How probes look in this collection.
   *
   * @param document a probe document for a probe id and attempt number
   * @param probeId the probe id of a document, or null if it is not a probe
   * @param cleanup a filter matching a probe's documents, to delete them once seen
   */
  public record Probes(BiFunction<String, Long, BsonDocument> document,
                       Function<BsonDocument, @Nullable String> probeId,
                       Function<String, BsonDocument> cleanup) {
  }

  private enum Mode { START, FRESH, RECOVER }

  /** Where a follower is, for health checks. */
  public enum State {
    /** Opening its first stream: {@link #start()} has not completed yet. */
    STARTING,
    /** A stream is open and delivering. */
    FOLLOWING,
    /** The stream failed or ended; reopening (or recovering what it missed) until it delivers again. */
    RESTARTING,
    /** Gave up: the first stream could not be opened, or the client was closed. It stays so. */
    FAILED,
    /** Stopped with the store. */
    STOPPED
  }

  private final String label;
  private final MongoCollection<BsonDocument> collection;
  private final Probes probes;
  private final Handler handler;
  private final Scheduler timer;
  private final Clock clock;
  private final Duration lookback;
  private final Sinks.Empty<Void> started = Sinks.empty();

  private final Object lock = new Object();
  // Guarded by lock.
  private int generation;
  private @Nullable BsonDocument resumeToken;
  private @Nullable Disposable stream;
  private @Nullable Disposable prober;
  private @Nullable Disposable pending;
  private @Nullable String awaitedProbe;
  private @Nullable ArrayDeque<BsonDocument> held;
  private @Nullable Instant recoverSince;
  private Instant lastSeen;
  private boolean established;
  private boolean confirmed;
  private boolean stopped;
  private boolean opened;
  private @Nullable StoreException failure;
  private int failures;
  private long delivered;

  public ChangeStreamFollower(String label, MongoCollection<BsonDocument> collection, Probes probes,
                              Handler handler, Scheduler timer, Clock clock, Duration lookback) {
    this.label = label;
    this.collection = collection;
    this.probes = probes;
    this.handler = handler;
    this.timer = timer;
    this.clock = clock;
    this.lookback = lookback;
    this.lastSeen = clock.instant();
  }

  /** Opens the stream; completes once it is open, or errors with a {@link StoreException}. */
  public Mono<Void> start() {
    synchronized (lock) {
      if (generation == 0 && !stopped) {
        open(null, Mode.START);
      }
    }
    return started.asMono();
  }

  /** Closes the stream for good. */
  public void stop() {
    synchronized (lock) {
      stopped = true;
      generation++;
      dispose();
      started.tryEmitError(new StoreException("the store was stopped before its change stream on " + label
          + " opened"));
    }
  }

  /** Whether a stream is open and delivering (for diagnostics and tests). */
  public boolean isLive() {
    synchronized (lock) {
      return confirmed && !stopped && held == null;
    }
  }

  /** Where the follower is now. */
  public State state() {
    synchronized (lock) {
      if (stopped) {
        return State.STOPPED;
      }
      if (failure != null) {
        return State.FAILED;
      }
      if (confirmed && held == null) {
        return State.FOLLOWING;
      }
      return opened ? State.RESTARTING : State.STARTING;
    }
  }

  /** Why the follower gave up ({@link State#FAILED}), or null if it has not. */
  public @Nullable StoreException failure() {
    synchronized (lock) {
      return failure;
    }
  }

  /** Events delivered to the handler so far. */
  public long delivered() {
    synchronized (lock) {
      return delivered;
    }
  }

  /** Replaces the resume token (tests use it to play a token that left the oplog). */
  public void resumeTokenForTest(BsonDocument token) {
    synchronized (lock) {
      resumeToken = token;
    }
  }

  private void dispose() {
    for (Disposable d : new Disposable[] {stream, prober, pending}) {
      if (d != null) {
        d.dispose();
      }
    }
    stream = null;
    prober = null;
    pending = null;
  }

  private void open(@Nullable BsonDocument token, Mode mode) {
    int g = ++generation;
    dispose();
    established = false;
    held = mode == Mode.RECOVER ? new ArrayDeque<>() : null;
    ChangeStreamPublisher<BsonDocument> publisher = collection.watch(
        List.of(Aggregates.match(Filters.eq("operationType", "insert"))), BsonDocument.class);
    if (token != null) {
      publisher = publisher.resumeAfter(token);
    }
    log.debug("opening the change stream on {} ({}, {})", label, mode, token == null ? "no resume token" : "resuming");
    stream = Flux.from(publisher).subscribe(e -> onEvent(g, e), e -> onError(g, mode, e), () -> onComplete(g, mode));
    // A resumed stream delivers at once; a probe still confirms that it works.
    established = token != null;
    confirmed = false;
    String probeId = UUID.randomUUID().toString();
    awaitedProbe = probeId;
    // Probes until one comes back through the stream (usually the first), for at most PROBE_TIMEOUT.
    prober = Flux.interval(Duration.ZERO, PROBE_INTERVAL, timer)
        .onBackpressureDrop()
        .concatMap(n -> Mono.from(collection.insertOne(probes.document().apply(probeId, n)))
            .then()
            .onErrorResume(e -> {
              log.debug("probe of the change stream on {} not inserted: {}", label, e.toString());
              return Mono.empty();
            }), 1)
        .take(PROBE_TIMEOUT, timer)
        .then()
        .subscribe(null, e -> onProbeTimeout(g, mode), () -> onProbeTimeout(g, mode));
  }

  private void onEvent(int g, ChangeStreamDocument<BsonDocument> event) {
    synchronized (lock) {
      if (g != generation || stopped) {
        return;
      }
      resumeToken = event.getResumeToken();
      BsonDocument document = event.getFullDocument();
      if (document == null) {
        return;
      }
      String probe = probes.probeId().apply(document);
      if (probe != null) {
        if (probe.equals(awaitedProbe)) {
          onProbeSeen(g);
        }
        return;
      }
      if (held != null) {
        held.add(document);
        if (held.size() > MAX_HELD) {
          retry(g, false, Mode.RECOVER, new StoreException(MAX_HELD + " events arrived during recovery"));
        }
        return;
      }
      lastSeen = clock.instant();
      if (established) {
        // Events flowing through a resumed stream show it works as well as a probe would.
        failures = 0;
        confirmed = true;
      }
      deliver(document);
    }
  }

  private void deliver(BsonDocument document) {
    delivered++;
    try {
      handler.inserted(document);
    } catch (RuntimeException e) {
      log.warn("a document from the change stream on {} could not be delivered; skipped: {}", label, document, e);
    }
  }

  private void onProbeSeen(int g) {
    String probeId = awaitedProbe;
    awaitedProbe = null;
    confirmed = true;
    if (prober != null) {
      prober.dispose();
      prober = null;
    }
    if (probeId != null) {
      Mono.from(collection.deleteMany(probes.cleanup().apply(probeId)))
          .subscribe(r -> { }, e -> log.debug("probe {} not deleted: {}", probeId, e.toString()));
    }
    if (failures > 0 && held == null) {
      log.info("the change stream on {} is live again", label);
    }
    failures = 0;
    if (established) {
      return;
    }
    established = true;
    lastSeen = clock.instant();
    if (held == null) {
      log.debug("change stream on {} open", label);
      opened = true;
      started.tryEmitEmpty();
      return;
    }
    Instant since = recoverSince != null ? recoverSince : lastSeen.minus(lookback);
    log.debug("change stream on {} open; re-reading what was inserted since {}", label, since);
    int[] recovered = {0};
    pending = handler.recover(since).subscribe(
        document -> {
          synchronized (lock) {
            if (g == generation) {
              recovered[0]++;
              deliver(document);
            }
          }
        },
        e -> {
          synchronized (lock) {
            if (g == generation) {
              log.warn("recovery of {} failed; trying again", label, e);
              retry(g, false, Mode.RECOVER, e);
            }
          }
        },
        () -> {
          synchronized (lock) {
            if (g == generation) {
              ArrayDeque<BsonDocument> waiting = held;
              held = null;
              recoverSince = null;
              pending = null;
              log.warn("the change stream on {} is open again: {} documents recovered from the collection, {}"
                  + " held back meanwhile; live delivery continues", label, recovered[0],
                  waiting == null ? 0 : waiting.size());
              if (waiting != null) {
                waiting.forEach(this::deliver);
              }
              opened = true;
              started.tryEmitEmpty();
            }
          }
        });
  }

  private void onProbeTimeout(int g, Mode mode) {
    synchronized (lock) {
      if (g != generation || stopped || confirmed) {
        return;
      }
      StoreException error = new StoreException("the change stream on " + label + " delivered nothing within "
          + PROBE_TIMEOUT.toSeconds() + " s of opening; change streams need a replica set or a sharded cluster"
          + REPLICA_SET_HINT);
      if (mode == Mode.START) {
        fail(error);
      } else {
        retry(g, established, mode, error);
      }
    }
  }

  private void onError(int g, Mode mode, Throwable error) {
    synchronized (lock) {
      if (g != generation || stopped) {
        return;
      }
      if (mode == Mode.START && !confirmed) {
        fail(new StoreException("the change stream on " + label + " could not be opened (" + error.getMessage()
            + "); change streams need a replica set or a sharded cluster" + REPLICA_SET_HINT, error));
        return;
      }
      failures++;
      if (MongoErrors.isClientClosed(error)) {
        log.warn("the MongoClient of the change stream on {} was closed; the stream stops", label);
        fail(new StoreException("the MongoClient was closed", error));
        return;
      }
      if (held != null) {
        retry(g, false, Mode.RECOVER, error);
      } else if (resumeToken != null && !MongoErrors.isTransient(error)) {
        // The server refused to resume from our token (typically ChangeStreamHistoryLost): what was
        // inserted since the last event is read back from the collection itself.
        recoverSince = lastSeen.minus(lookback);
        resumeToken = null;
        log.warn("the change stream on {} cannot resume from its last position ({}); opening a new one and"
            + " recovering what was inserted since {} from the collection", label, error.getMessage(), recoverSince);
        retry(g, false, Mode.RECOVER, error);
      } else if (resumeToken == null) {
        recoverSince = lastSeen.minus(lookback);
        retry(g, false, Mode.RECOVER, error);
      } else {
        if (failures == 1) {
          log.warn("the change stream on {} was interrupted ({}); resuming from its last position", label,
              error.toString());
        } else {
          log.debug("the change stream on {} is still interrupted: {}", label, error.toString());
        }
        retry(g, true, Mode.FRESH, error);
      }
    }
  }

  private void onComplete(int g, Mode mode) {
    synchronized (lock) {
      if (g != generation || stopped) {
        return;
      }
      if (mode == Mode.START && !confirmed) {
        fail(new StoreException("the change stream on " + label + " ended as soon as it was opened; change"
            + " streams need a replica set or a sharded cluster" + REPLICA_SET_HINT));
        return;
      }
      // A change stream ends on "invalidate": the collection was dropped or renamed. What it held is gone.
      log.warn("the change stream on {} ended (the collection was dropped or renamed); opening a new one", label);
      resumeToken = null;
      retry(g, false, Mode.FRESH, null);
    }
  }

  private void retry(int g, boolean resume, Mode mode, @Nullable Throwable cause) {
    int next = ++generation;
    dispose();
    held = null;
    established = false;
    confirmed = false;
    Mode reopen = mode == Mode.START ? Mode.FRESH : mode;
    long factor = 1L << Math.min(Math.max(failures - 1, 0), 10);
    Duration backoff = MIN_BACKOFF.multipliedBy(factor).compareTo(MAX_BACKOFF) > 0
        ? MAX_BACKOFF : MIN_BACKOFF.multipliedBy(factor);
    log.debug("reopening the change stream on {} in {} ms (after {})", label, backoff.toMillis(),
        cause == null ? "its end" : cause.toString());
    pending = Mono.delay(backoff, timer).subscribe(tick -> {
      synchronized (lock) {
        if (generation == next && !stopped) {
          open(resume ? resumeToken : null, reopen);
        }
      }
    });
  }

  private void fail(StoreException error) {
    generation++;
    failure = error;
    confirmed = false;
    dispose();
    started.tryEmitError(error);
  }
}
