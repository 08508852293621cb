package dev.parley.internal.recovery;

import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.internal.support.Settling;
import dev.parley.protocol.Names;
import dev.parley.spi.Store;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Connection state recovery for one server: saves a disconnected channel's {@link SavedSession} in the
 * store under its private id, and takes it back for a reconnecting client, turning its offset into a
 * place in each room. Private ids are never logged.
 */
public final class Recovery {
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);
  // How long a save may wait for the store. A save blocks no thread and close() waits for it at most its
  // shutdownTimeout, so this only keeps a store that never answers from holding a save for ever.
  private static final Duration SAVE_TIMEOUT = Duration.ofSeconds(10);

  private final Supplier<Store> store;
  private final Duration ttl;
  private final Duration takeTimeout;
  private final JsonMapper mapper;
  private final Settling settling;
  private final Duration saveTimeout;
  private final AtomicInteger savesInFlight = new AtomicInteger();

  /**
   * @param store the server's store, once started
   * @param ttl how long saved state is kept ({@code maxDisconnectionDuration})
   * @param takeTimeout how long a {@link #take} may block a handshake ({@code connectTimeout}: a socket that
   *     has not joined a namespace by then is closed anyway)
   * @param settling told when the last save in flight has completed
   */
  public Recovery(Supplier<Store> store, Duration ttl, Duration takeTimeout, JsonMapper mapper, Settling settling) {
    this(store, ttl, takeTimeout, SAVE_TIMEOUT, mapper, settling);
  }

  Recovery(Supplier<Store> store, Duration ttl, Duration takeTimeout, Duration saveTimeout, JsonMapper mapper,
           Settling settling) {
    this.store = store;
    this.ttl = ttl;
    this.takeTimeout = takeTimeout;
    this.saveTimeout = saveTimeout;
    this.mapper = mapper;
    this.settling = settling;
  }

  /** Saves that have not completed yet. */
  public int savesInFlight() {
    return savesInFlight.get();
  }

  /**
   * Saves a channel's state for {@link dev.parley.ChatServerConfig#maxDisconnectionDuration()}, first
   * looking up where rooms stand whose start the channel did not know (joined so recently that the
   * room's last id had not come back yet). Asynchronous; a failure is logged and means the channel will
   * not be recovered.
   */
  public void save(String namespace, String privateId, SavedSession state) {
    Store store = this.store.get();
    savesInFlight.incrementAndGet();
    List<String> unresolved = state.roomsWithoutStart();
    SaveWatch watch = new SaveWatch(namespace, state.channelId());
    if (unresolved.isEmpty()) {
      // Every closing channel comes this way unless it joined a room that has sent it nothing yet: one call
      // to the store, without an operator chain (a fresh JVM compiles what each closing channel runs).
      Mono<Void> saving;
      try {
        saving = Objects.requireNonNull(store.saveSession(namespace, privateId, state.toJson(mapper), ttl),
            "the store's saveSession returned null");
      } catch (RuntimeException e) {
        saving = Mono.error(e);
      }
      watch.follow(saving);
      return;
    }
    watch.follow(Flux.fromIterable(unresolved)
        .flatMap(room -> store.history(namespace, room, HistoryQuery.latest(1)).next()
            .map(Message::id).defaultIfEmpty("").map(id -> Map.entry(room, id)))
        .collectMap(Map.Entry::getKey, Map.Entry::getValue)
        .flatMap(starts -> store.saveSession(namespace, privateId, state.withStarts(starts).toJson(mapper), ttl)));
  }

  /**
   * One save, followed to its end: logged, counted out of {@link #savesInFlight}, and given up after
   * the save timeout (10 s) if the store has not answered by then. The timer is only started for a save
   * the store did not complete at once (the in-memory store completes while subscribed to), so a closing
   * channel costs no timer there.
   */
  private final class SaveWatch implements CoreSubscriber<Void> {
    private final String namespace;
    private final String channelId;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile @Nullable Subscription subscription;
    private volatile @Nullable Disposable timer;

    SaveWatch(String namespace, String channelId) {
      this.namespace = namespace;
      this.channelId = channelId;
    }

    void follow(Mono<Void> saving) {
      saving.subscribe(this);
      if (!ended.get()) {
        timer = Schedulers.parallel().schedule(this::timedOut, saveTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (ended.get()) {
          cancelTimer();
        }
      }
    }

    @Override
    public void onSubscribe(Subscription s) {
      // Subscribed twice, or given up before the store subscribed: the save is not wanted (Reactive Streams 2.5).
      if (subscription != null) {
        s.cancel();
        return;
      }
      subscription = s;
      // After the write: a timeout that ends the save now either sees this subscription or is seen here.
      if (ended.get()) {
        s.cancel();
        return;
      }
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Void value) {
      // A Mono<Void> has no values.
    }

    @Override
    public void onError(Throwable error) {
      end(error);
    }

    @Override
    public void onComplete() {
      end(null);
    }

    private void timedOut() {
      if (ended.compareAndSet(false, true)) {
        // Cancelled before it is counted out: whoever waits for the saves to settle finds it cancelled.
        Subscription s = subscription;
        if (s != null) {
          s.cancel();
        }
        ended(new TimeoutException("the store did not save within " + saveTimeout.toMillis() + " ms"));
      }
    }

    private void end(@Nullable Throwable error) {
      if (ended.compareAndSet(false, true)) {
        ended(error);
      }
    }

    private void ended(@Nullable Throwable error) {
      cancelTimer();
      if (error == null) {
        log.debug("saved the state of channel {} in {}", channelId, Names.quote(namespace));
      } else {
        log.warn("could not save the state of channel {} in {}; it cannot be recovered", channelId,
            Names.quote(namespace), error);
      }
      if (savesInFlight.decrementAndGet() == 0) {
        settling.changed();
      }
    }

    private void cancelTimer() {
      Disposable t = timer;
      if (t != null) {
        t.dispose();
      }
    }
  }

  /**
   * Saves again a session that was taken but could not be restored (its new connection closed first), as
   * a channel that was sent nothing after the client's {@code offset}.
   */
  public void putBack(String namespace, String privateId, Restored restored, @Nullable String offset) {
    Map<String, SavedSession.@Nullable Position> starts = new LinkedHashMap<>();
    restored.replayAfter().forEach((room, after) -> starts.put(room, SavedSession.Position.after(after)));
    save(namespace, privateId, new SavedSession(restored.channelId(), starts, List.of(), List.of(), false,
        offset, restored.data()));
  }

  /**
   * Takes the state saved under a private id and finds where the client is in each room. Blocks, at most
   * the take timeout given to the constructor; call it on the handler executor.
   *
   * @param offset the id of the last posted message the client received, or null
   * @return the channel to restore; empty if there is none to restore (no state, expired, taken by
   *     another connection, an offset that names no place, history no longer reaching back to it, or a
   *     store failure), in which case whatever was saved is gone
   */
  public Optional<Restored> take(String namespace, String privateId, @Nullable String offset) {
    Store store = this.store.get();
    try {
      Restored restored = store.takeSession(namespace, privateId)
          .map(json -> SavedSession.fromJson(mapper, json))
          .flatMap(state -> {
            Optional<Map<String, SavedSession.Position>> positions = state.positions(offset);
            if (positions.isEmpty()) {
              log.debug("channel {}: the offset names no place in what it was sent; not recovered",
                  state.channelId());
              return Mono.empty();
            }
            return resolve(store, namespace, positions.get())
                .map(places -> new Restored(state.channelId(), places, state.data()));
          })
          .block(takeTimeout);
      return Optional.ofNullable(restored);
    } catch (IllegalArgumentException e) {
      log.warn("a saved session in {} could not be read; not recovered: {}", Names.quote(namespace), e.getMessage());
      return Optional.empty();
    } catch (RuntimeException e) {
      log.warn("taking a saved session in {} failed; not recovered", Names.quote(namespace), e);
      return Optional.empty();
    }
  }

  /**
   * Turns positions into "replay after this id" per room, checking that history still reaches back to
   * each; empty if one does not (the offset is older than the retained history).
   */
  private Mono<Map<String, String>> resolve(Store store, String namespace, Map<String, SavedSession.Position> positions) {
    return Flux.fromIterable(positions.entrySet())
        .concatMap(entry -> {
          String room = entry.getKey();
          SavedSession.Position position = entry.getValue();
          Mono<Optional<String>> oldest = store.history(namespace, room, HistoryQuery.after("", 1)).next()
              .map(message -> Optional.of(message.id())).defaultIfEmpty(Optional.empty());
          return oldest.flatMap(first -> {
            if (!position.before()) {
              boolean lost = !position.id().isEmpty() && first.isPresent() && first.get().compareTo(position.id()) > 0;
              return lost ? stale(room) : Mono.just(Map.entry(room, position.id()));
            }
            if (first.isEmpty() || first.get().compareTo(position.id()) > 0) {
              return stale(room);
            }
            return store.history(namespace, room, HistoryQuery.before(position.id(), 1)).next()
                .map(Message::id).defaultIfEmpty("").map(id -> Map.entry(room, id));
          });
        })
        .collectList()
        .map(entries -> {
          Map<String, String> places = new LinkedHashMap<>();
          entries.forEach(e -> places.put(e.getKey(), e.getValue()));
          return places;
        })
        .onErrorResume(StaleException.class, e -> {
          log.debug("history of {} no longer reaches the client's place; not recovered", Names.quote(e.room));
          return Mono.empty();
        });
  }

  private static <T> Mono<T> stale(String room) {
    return Mono.error(new StaleException(room));
  }

  /** The application's {@code data()} as JSON; values the mapper cannot write are left out with a warning. */
  public ObjectNode dataOf(String channelId, Map<String, Object> data) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    data.forEach((key, value) -> {
      try {
        out.set(key, mapper.valueToTree(value));
      } catch (JacksonException | IllegalArgumentException e) {
        log.warn("channel {}: data {} ({}) cannot be written as JSON and will not be recovered: {}", channelId,
            Names.quote(key), value.getClass().getName(), e.getMessage());
      }
    });
    return out;
  }

  /** Saved data back as plain Java values: maps, lists, strings, numbers, booleans. */
  public Map<String, Object> dataFrom(ObjectNode data) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : data.properties()) {
      Object value = mapper.treeToValue(field.getValue(), Object.class);
      if (value != null) {
        out.put(field.getKey(), value);
      }
    }
    return out;
  }

  /**
   * A channel to bring back.
   *
   * @param channelId its id
   * @param replayAfter per room (its own room included), the id after which to replay ({@code ""}: all)
   * @param data its data, as saved
   */
  public record Restored(String channelId, Map<String, String> replayAfter, ObjectNode data) {
  }

  private static final class StaleException extends RuntimeException {
    final String room;

    StaleException(String room) {
      super(null, null, false, false);
      this.room = room;
    }
  }
}
