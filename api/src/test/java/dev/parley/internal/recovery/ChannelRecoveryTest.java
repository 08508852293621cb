package dev.parley.internal.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.internal.recovery.SavedSession.Position;
import dev.parley.internal.support.Settling;
import dev.parley.protocol.DisconnectReason;
import dev.parley.spi.Bus;
import dev.parley.spi.Post;
import dev.parley.spi.Store;
import dev.parley.testsupport.Concurrently;
import dev.parley.testsupport.Timeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** One channel's connection state recovery: what the client presents, the journal's order, save and take. */
class ChannelRecoveryTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration TAKE_TIMEOUT = Duration.ofMillis(200);

  private final SessionStore store = new SessionStore();
  private final Settling settling = new Settling();
  private final Recovery recovery = new Recovery(() -> store, Duration.ofMinutes(2), TAKE_TIMEOUT, JSON, settling);

  private static ObjectNode auth(String... keysAndValues) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      out.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return out;
  }

  private ChannelRecovery.Scope scope() {
    return new ChannelRecovery.Scope(recovery, "/", 100);
  }

  private ChannelRecovery fresh() {
    return ChannelRecovery.admit(scope(), new ChannelRecovery.Presented(auth(), null, null));
  }

  private SavedSession saved(String privateId) {
    assertThat(settling.await(() -> recovery.savesInFlight() == 0, System.nanoTime() + TimeUnit.SECONDS.toNanos(10)))
        .isTrue();
    String json = store.sessions.get(privateId);
    assertThat(json).as("saved under the private id").isNotNull();
    return SavedSession.fromJson(JSON, json);
  }

  @Test
  void theRecoveryKeysAreTakenOutOfTheAuthTheMiddlewareSees() {
    ChannelRecovery.Presented presented = ChannelRecovery.Presented.from(
        auth("token", "t", "pid", "secret", "offset", "m-7"), true, true);

    assertThat(presented.auth()).isEqualTo(auth("token", "t"));
    assertThat(presented.privateId()).isEqualTo("secret");
    assertThat(presented.offset()).isEqualTo("m-7");
  }

  @Test
  void withRecoveryOffHereTheKeysAreStillStrippedButNotUsed() {
    ChannelRecovery.Presented presented = ChannelRecovery.Presented.from(
        auth("token", "t", "pid", "secret"), true, false);

    assertThat(presented.auth()).isEqualTo(auth("token", "t"));
    assertThat(presented.privateId()).isNull();
  }

  @Test
  void aClientThatCannotRecoverKeepsItsAuthAsSent() {
    ObjectNode sent = auth("pid", "app-data");

    ChannelRecovery.Presented presented = ChannelRecovery.Presented.from(sent, false, false);

    assertThat(presented.auth()).isEqualTo(sent);
    assertThat(presented.privateId()).isNull();
    assertThat(ChannelRecovery.Presented.from(null, true, true).auth()).isEqualTo(auth());
  }

  @Test
  void aPrivateIdThatIsNotAStringIsIgnored() {
    ObjectNode sent = JsonNodeFactory.instance.objectNode().put("pid", 42);

    assertThat(ChannelRecovery.Presented.from(sent, true, true).privateId()).isNull();
  }

  @Test
  void onlyAccidentalEndsKeepTheChannel() {
    assertThat(ChannelRecovery.keepsChannel(DisconnectReason.TRANSPORT_CLOSE)).isTrue();
    assertThat(ChannelRecovery.keepsChannel(DisconnectReason.PING_TIMEOUT)).isTrue();
    assertThat(ChannelRecovery.keepsChannel(DisconnectReason.SERVER_SHUTTING_DOWN)).isTrue();
    assertThat(ChannelRecovery.keepsChannel(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT)).isFalse();
    assertThat(ChannelRecovery.keepsChannel(DisconnectReason.SERVER_NAMESPACE_DISCONNECT)).isFalse();
  }

  @Test
  void aNewChannelGetsAFreshSecretAndNothingToPutBack() {
    ChannelRecovery first = fresh();
    ChannelRecovery second = fresh();

    assertThat(first.recovered()).isFalse();
    assertThat(first.restored()).isNull();
    assertThat(first.restoredData()).isEmpty();
    // Made from the channel's id, not kept: the same each time for one id, another for another id.
    assertThat(first.privateId("ch-1")).hasSize(22).matches("[A-Za-z0-9_-]+")
        .isEqualTo(first.privateId("ch-1")).isEqualTo(second.privateId("ch-1"))
        .isNotEqualTo(second.privateId("ch-2")).isNotEqualTo("ch-1");
    first.putBack();
    assertThat(store.sessions).isEmpty();
  }

  @Test
  void aSavedChannelIsTakenBackOnceWithItsRoomsAndData() {
    ChannelRecovery before = fresh();
    Map<String, @Nullable RoomStart> rooms = new LinkedHashMap<>();
    rooms.put("ch-1", before.start(""));
    rooms.put("lobby", before.start("m-3"));
    before.save("ch-1", rooms, Map.of("nick", "ada"));
    saved(before.privateId("ch-1"));

    ChannelRecovery.Presented presented = ChannelRecovery.Presented.from(
        auth("pid", before.privateId("ch-1")), true, true);
    ChannelRecovery after = ChannelRecovery.admit(scope(), presented);

    assertThat(after.recovered()).isTrue();
    assertThat(after.privateId("ch-1")).isEqualTo(before.privateId("ch-1"));
    assertThat(after.restored().channelId()).isEqualTo("ch-1");
    assertThat(after.restored().replayAfter()).isEqualTo(Map.of("ch-1", "", "lobby", "m-3"));
    assertThat(after.restoredData()).isEqualTo(Map.of("nick", "ada"));
    assertThat(ChannelRecovery.admit(scope(), presented).recovered())
        .as("a session is taken once").isFalse();
  }

  @Test
  void aTakenSessionThatCouldNotBeRestoredIsPutBackForTheNextAttempt() {
    ChannelRecovery before = fresh();
    before.save("ch-1", Map.of("ch-1", before.start("")), Map.of());
    saved(before.privateId("ch-1"));
    ChannelRecovery.Presented presented = ChannelRecovery.Presented.from(
        auth("pid", before.privateId("ch-1")), true, true);
    ChannelRecovery taken = ChannelRecovery.admit(scope(), presented);

    taken.putBack();
    saved(before.privateId("ch-1"));

    assertThat(ChannelRecovery.admit(scope(), presented).recovered()).isTrue();
  }

  @Test
  void aRestoredChannelClosedBeforeItEnteredItsRoomsIsPutBackAsTaken() {
    ChannelRecovery before = fresh();
    before.save("ch-1", Map.of("ch-1", before.start(""), "lobby", before.start("m-3")), Map.of("nick", "ada"));
    saved(before.privateId("ch-1"));
    ChannelRecovery.Presented presented = ChannelRecovery.Presented.from(
        auth("pid", before.privateId("ch-1")), true, true);
    ChannelRecovery taken = ChannelRecovery.admit(scope(), presented);

    // Closed while being registered: only its own room so far, and no data.
    taken.save("ch-1", Map.of("ch-1", taken.start("")), Map.of());
    saved(before.privateId("ch-1"));

    ChannelRecovery after = ChannelRecovery.admit(scope(), presented);
    assertThat(after.restored().replayAfter()).isEqualTo(Map.of("ch-1", "", "lobby", "m-3"));
    assertThat(after.restoredData()).isEqualTo(Map.of("nick", "ada"));
  }

  @Test
  void aChannelIsWrittenOnceThoughSaveAndPutBackBothCome() {
    ChannelRecovery before = fresh();
    before.save("ch-1", Map.of("ch-1", before.start("")), Map.of());
    saved(before.privateId("ch-1"));
    ChannelRecovery taken = ChannelRecovery.admit(scope(),
        ChannelRecovery.Presented.from(auth("pid", before.privateId("ch-1")), true, true));
    taken.entered();

    taken.save("ch-1", Map.of("ch-1", taken.start(""), "lobby", taken.start("m-9")), Map.of());
    saved(before.privateId("ch-1"));
    taken.putBack();
    saved(before.privateId("ch-1"));
    taken.save("ch-1", Map.of("ch-1", taken.start("")), Map.of());

    assertThat(store.writes.get()).as("the first save, the entered channel's save, nothing more").isEqualTo(2);
    ChannelRecovery after = ChannelRecovery.admit(scope(),
        ChannelRecovery.Presented.from(auth("pid", before.privateId("ch-1")), true, true));
    assertThat(after.restored().replayAfter()).isEqualTo(Map.of("ch-1", "", "lobby", "m-9"));
  }

  @Test
  void aStoreThatDoesNotAnswerATakeHoldsTheHandshakeOnlyForTheTakeTimeout() {
    store.stalled = true;
    long started = System.nanoTime();

    assertThat(recovery.take("/", "pid-1", null)).isEmpty();

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(TAKE_TIMEOUT, Duration.ofSeconds(5));
  }

  @Test
  void nothingIsSentOrJournalledOnceTheChannelIsClosed() {
    ChannelRecovery channel = fresh();
    List<String> sent = new ArrayList<>();

    channel.journalled("lobby", "m-1", () -> true, () -> sent.add("m-1"));
    channel.journalled("lobby", "m-2", () -> false, () -> sent.add("m-2"));
    channel.save("ch-1", Map.of("lobby", channel.start("")), Map.of());

    assertThat(sent).containsExactly("m-1");
    assertThat(saved(channel.privateId("ch-1")).journalIds()).containsExactly("m-1");
  }

  @Test
  void theJournalHasTheOrderTheClientIsSentMessagesIn() throws Exception {
    ChannelRecovery channel = fresh();
    List<String> sent = Collections.synchronizedList(new ArrayList<>());
    int threads = 4;
    Concurrently.run(threads, Timeouts.STEP, t -> {
      String room = "room-" + t;
      for (int i = 0; i < 20; i++) {
        String id = room + "/" + i;
        channel.journalled(room, id, () -> true, () -> sent.add(id));
      }
      return null;
    });
    Map<String, @Nullable RoomStart> rooms = new LinkedHashMap<>();
    for (int t = 0; t < threads; t++) {
      rooms.put("room-" + t, channel.start(""));
    }

    channel.save("ch-1", rooms, Map.of());

    assertThat(saved(channel.privateId("ch-1")).journalIds()).containsExactlyElementsOf(sent).hasSize(threads * 20);
  }

  @Test
  void aRoomStartsAfterItsBaseElseBeforeTheFirstMessageSeenElseWhereItWasJoined() {
    RoomStart replayed = new RoomStart("m-5");
    replayed.seen("m-2");
    assertThat(replayed.position()).isEqualTo(Position.after("m-5"));

    RoomStart live = new RoomStart(null);
    assertThat(live.position()).as("nothing known yet").isNull();
    live.joinedAt("m-1");
    live.joinedAt("m-9");
    assertThat(live.position()).as("the first report wins").isEqualTo(Position.after("m-1"));
    live.seen("m-4");
    live.seen("m-3");
    live.seen("m-6");
    assertThat(live.position()).isEqualTo(Position.before("m-3"));
  }

  /** A store that keeps saved sessions and has no history: all recovery asks of it here. */
  private static SavedSession closed(String channelId) {
    return new SavedSession(channelId, Map.of(channelId, Position.after("")), List.of(), List.of(), false, null,
        JsonNodeFactory.instance.objectNode());
  }

  private Recovery savingWithin(Duration saveTimeout) {
    return new Recovery(() -> store, Duration.ofMinutes(2), TAKE_TIMEOUT, saveTimeout, JSON, settling);
  }

  private boolean settles(Recovery recovery) {
    return settling.await(() -> recovery.savesInFlight() == 0, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
  }

  @Test
  void aSaveTheStoreNeverAnswersIsGivenUpAfterTheSaveTimeout() {
    Recovery quick = savingWithin(Duration.ofMillis(100));
    store.saving = Saving.NEVER;

    quick.save("/", "pid-1", closed("ch-1"));

    assertThat(quick.savesInFlight()).isEqualTo(1);
    assertThat(settles(quick)).as("counted out after the timeout").isTrue();
    assertThat(store.cancelled.get()).as("the store's save cancelled").isEqualTo(1);
    assertThat(store.sessions).isEmpty();
  }

  @Test
  void aSaveTheStoreAnswersLaterIsSavedAndNotCancelled() {
    Recovery patient = savingWithin(Duration.ofSeconds(5));
    store.saving = Saving.LATER;

    patient.save("/", "pid-1", closed("ch-1"));

    assertThat(settles(patient)).isTrue();
    assertThat(SavedSession.fromJson(JSON, store.sessions.get("pid-1")).channelId()).isEqualTo("ch-1");
    assertThat(store.cancelled.get()).isZero();
  }

  @Test
  void aSaveThatFailsOrThrowsOrIsNullIsCountedOutAndSavesNothing() {
    store.saving = Saving.FAILING;
    recovery.save("/", "pid-1", closed("ch-1"));
    assertThat(settles(recovery)).isTrue();

    store.saving = Saving.THROWING;
    recovery.save("/", "pid-2", closed("ch-2"));
    assertThat(settles(recovery)).isTrue();

    store.saving = Saving.NULL;
    recovery.save("/", "pid-3", closed("ch-3"));
    assertThat(settles(recovery)).isTrue();

    assertThat(store.sessions).isEmpty();
  }

  private enum Saving { AT_ONCE, LATER, NEVER, FAILING, THROWING, NULL }

  private static final class SessionStore implements Store {
    final Map<String, String> sessions = new ConcurrentHashMap<>();
    final AtomicInteger writes = new AtomicInteger();
    volatile boolean stalled;
    volatile Saving saving = Saving.AT_ONCE;
    final AtomicInteger cancelled = new AtomicInteger();

    @Override
    public Mono<Void> start() {
      return Mono.empty();
    }

    @Override
    public Mono<Void> stop() {
      return Mono.empty();
    }

    @Override
    public Mono<Message> append(Post post) {
      return Mono.error(new UnsupportedOperationException("no posts in this test"));
    }

    @Override
    public Flux<Message> history(String namespace, String room, HistoryQuery query) {
      return Flux.empty();
    }

    @Override
    public Flux<Message> feed() {
      return Flux.never();
    }

    @Override
    public Bus bus() {
      throw new UnsupportedOperationException("no bus in this test");
    }

    @Override
    public Mono<Void> saveSession(String namespace, String privateId, String state, Duration ttl) {
      Mono<Void> write = Mono.fromRunnable(() -> {
        writes.incrementAndGet();
        sessions.put(privateId, state);
      });
      return switch (saving) {
        case AT_ONCE -> write;
        case LATER -> Mono.delay(Duration.ofMillis(50)).then(write);
        case NEVER -> Mono.<Void>never().doOnCancel(cancelled::incrementAndGet);
        case FAILING -> Mono.error(new IllegalStateException("the store is down"));
        case THROWING -> throw new IllegalStateException("the store is gone");
        case NULL -> null;
      };
    }

    @Override
    public Mono<String> takeSession(String namespace, String privateId) {
      return stalled ? Mono.never() : Mono.fromCallable(() -> sessions.remove(privateId));
    }
  }
}
