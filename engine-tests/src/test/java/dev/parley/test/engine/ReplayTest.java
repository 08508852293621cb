package dev.parley.test.engine;

import static dev.parley.test.Nodes.messageIds;
import static dev.parley.test.Nodes.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.Replay;
import dev.parley.Room;
import dev.parley.spi.Bus;
import dev.parley.spi.Post;
import dev.parley.spi.Store;
import dev.parley.store.memory.MemoryStore;
import dev.parley.test.Nodes;
import dev.parley.test.ReceivedEvent;
import dev.parley.test.TestClient;
import dev.parley.test.Timeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Joining with a replay: the selected history, oldest first, then live posts, with no gap and no
 * duplicate at the hand-over, also while other threads post and across nodes.
 */
class ReplayTest {
  /** Posts a poster makes at most; below the store's retention, so history holds all of them. */
  private static final int POSTER_CAP = 8_000;

  private final MemoryStore shared = new MemoryStore();
  private final Nodes nodes = Nodes.sharing(shared);
  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    nodes.close();
  }

  private static List<String> post(Room room, int count) {
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(room.post("m", i).block(Timeouts.EXPECTED).id());
    }
    return ids;
  }

  /** Ids of the room's "m" posts after {@code cursor}, from the store, in order. */
  private List<String> storedAfter(String cursor) {
    return stored(HistoryQuery.after(cursor, 100_000));
  }

  private List<String> stored(HistoryQuery query) {
    return stored(shared, query);
  }

  private static List<String> stored(Store store, HistoryQuery query) {
    List<Message> page = store.history("/", "r", query)
        .collectList().block(Timeouts.EXPECTED);
    return page.stream().filter(m -> m.event().equals("m")).map(Message::id).toList();
  }

  /**
   * Posts "m" from another thread, as many times as the test allows: the test hands out posts, then does
   * what should race them. At most {@link #POSTER_CAP} posts, so history holds every one.
   */
  private final class Poster {
    final List<String> posted = new CopyOnWriteArrayList<>();
    private final Semaphore permits = new Semaphore(0);
    private final Future<?> running;
    private volatile boolean stop;
    private int allowed;

    Poster(Room room) {
      running = pool.submit(() -> {
        for (int i = 0; i < POSTER_CAP; i++) {
          if (!permits.tryAcquire(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS) || stop) {
            return null;
          }
          posted.add(room.post("m", i).block(Timeouts.EXPECTED).id());
        }
        return null;
      });
    }

    /** Lets the poster make {@code count} more posts, and returns at once. */
    void allow(int count) {
      assertThat(allowed + count).isLessThanOrEqualTo(POSTER_CAP);
      allowed += count;
      permits.release(count);
    }

    /** Waits until every allowed post is made. */
    void awaitAllowed() {
      await().atMost(Timeouts.EXPECTED).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
          .until(() -> posted.size() >= allowed || running.isDone());
      assertThat(posted).as("the poster failed").hasSize(allowed);
    }

    void stop() throws Exception {
      stop = true;
      permits.release();
      running.get(Timeouts.EXPECTED.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Test
  void lastNThenLive() {
    Nodes.Node node = nodes.start();
    Room room = node.server().room("r");
    List<String> ids = post(room, 20);
    TestClient client = node.connect();

    node.join(client, "r", Replay.last(5));
    String live = room.post("m", "live").block(Timeouts.EXPECTED).id();
    room.post("end", 0).block(Timeouts.EXPECTED);

    List<String> expected = new ArrayList<>(ids.subList(15, 20));
    expected.add(live);
    assertThat(messageIds(until(client, "end"))).isEqualTo(expected);
  }

  @Test
  void lastNBeyondHistoryReplaysAll() {
    Nodes.Node node = nodes.start();
    Room room = node.server().room("r");
    List<String> ids = post(room, 3);
    TestClient client = node.connect();

    node.join(client, "r", Replay.last(50));
    room.post("end", 0).block(Timeouts.EXPECTED);

    List<ReceivedEvent> got = until(client, "end");
    assertThat(messageIds(got)).isEqualTo(ids);
    assertThat(got).extracting(e -> e.arg(0).asInt()).containsExactly(0, 1, 2);
  }

  @Test
  void afterSpansManyPagesThenGoesLive() {
    Nodes.Node node = nodes.start(b -> b.config(c -> c.replayPageSize(7)));
    Room room = node.server().room("r");
    List<String> ids = post(room, 50);
    TestClient many = node.connect();
    TestClient twoFullPages = node.connect();
    TestClient upToDate = node.connect();

    node.join(many, "r", Replay.after(ids.get(3)));
    node.join(twoFullPages, "r", Replay.after(ids.get(35)));
    node.join(upToDate, "r", Replay.after(ids.get(49)));
    String live = room.post("m", "live").block(Timeouts.EXPECTED).id();
    room.post("end", 0).block(Timeouts.EXPECTED);

    assertThat(messageIds(until(many, "end"))).isEqualTo(concat(ids.subList(4, 50), live));
    assertThat(messageIds(until(twoFullPages, "end"))).isEqualTo(concat(ids.subList(36, 50), live));
    assertThat(messageIds(until(upToDate, "end"))).containsExactly(live);
  }

  @Test
  void postsLandingDuringTheReplayFollowItOnceInOrder() {
    InterleavingStore store = new InterleavingStore();
    try (Nodes own = Nodes.sharing(store)) {
      Nodes.Node node = own.start(b -> b.config(c -> c.replayPageSize(7)));
      Room room = node.server().room("r");
      List<String> ids = post(room, 30);
      TestClient afterClient = node.connect();
      TestClient lastClient = node.connect();

      // Each history read of a replay first posts three messages: live for the joining channel and, from
      // the next page on, in its history too. (Fewer than a page, so the paging catches up.)
      AtomicInteger reads = new AtomicInteger();
      store.beforeHistory = () -> {
        if (reads.incrementAndGet() <= 20) {
          post(room, 3);
        }
      };
      node.join(afterClient, "r", Replay.after(ids.get(4)));
      int afterReads = reads.getAndSet(0);
      node.join(lastClient, "r", Replay.last(5));
      int lastReads = reads.get();
      store.beforeHistory = () -> { };
      String live = room.post("m", "live").block(Timeouts.EXPECTED).id();
      room.post("end", 0).block(Timeouts.EXPECTED);

      assertThat(afterReads).isBetween(3, 20);
      assertThat(lastReads).isEqualTo(1);
      List<String> all = stored(store, HistoryQuery.latest(1000));
      assertThat(all).hasSize(30 + 3 * (afterReads + lastReads) + 1).endsWith(live);
      assertThat(messageIds(until(afterClient, "end"))).isEqualTo(all.subList(5, all.size()));
      // The last five when it read (the three posted during the read among them), then the live one; once each.
      List<String> lastExpected = all.subList(all.size() - 6, all.size());
      assertThat(messageIds(until(lastClient, "end"))).isEqualTo(lastExpected);
    }
  }

  @Test
  void afterWhilePostingHandsOverWithoutGapOrDuplicate() throws Exception {
    Nodes.Node node = nodes.start(b -> b.config(c -> c.replayPageSize(7)));
    Room room = node.server().room("r");
    Poster poster = new Poster(room);
    poster.allow(150);
    poster.awaitAllowed();

    List<TestClient> clients = new ArrayList<>();
    List<String> cursors = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      List<String> sofar = List.copyOf(poster.posted);
      String cursor = sofar.get(sofar.size() - 1 - 13 * i);
      TestClient client = node.connect();
      poster.allow(200);
      node.join(client, "r", Replay.after(cursor));
      clients.add(client);
      cursors.add(cursor);
      poster.awaitAllowed();
    }
    poster.stop();
    room.post("end", 0).block(Timeouts.EXPECTED);

    for (int i = 0; i < clients.size(); i++) {
      List<String> expected = storedAfter(cursors.get(i));
      assertThat(expected).hasSizeGreaterThanOrEqualTo(200);
      assertThat(messageIds(until(clients.get(i), "end"))).as("client %d", i).isEqualTo(expected);
    }
  }

  @Test
  void clientOfOneNodeResumesOnAnotherWithEveryMissedMessageOnce() throws Exception {
    Nodes.Node nodeA = nodes.start();
    Nodes.Node nodeB = nodes.start();
    Poster poster = new Poster(nodeA.server().room("r"));
    TestClient onB = nodeB.connect("r");
    poster.allow(100);
    List<String> seenOnB = messageIds(onB.next(30));
    String lastSeen = seenOnB.get(29);
    onB.drop();
    poster.allow(200);

    TestClient onA = nodeA.connect();
    nodeA.join(onA, "r", Replay.after(lastSeen));
    poster.awaitAllowed();
    poster.stop();
    nodeB.server().room("r").post("end", 0).block(Timeouts.EXPECTED);

    List<String> missed = storedAfter(lastSeen);
    assertThat(missed).hasSize(300 - 30);
    assertThat(messageIds(until(onA, "end"))).isEqualTo(missed);
    // What node B delivered before the drop was the start of the room's history, without a gap.
    assertThat(stored(HistoryQuery.latest(100_000)).subList(0, 30)).isEqualTo(seenOnB);
  }

  @Test
  void historyPagesThroughThePublicApi() {
    Nodes.Node node = nodes.start(b -> b.config(c -> c.maxHistoryPage(25)));
    Room room = node.server().room("r");
    List<String> ids = post(room, 60);

    StepVerifier.create(room.history(10).map(Message::id))
        .expectNextSequence(ids.subList(50, 60))
        .expectComplete()
        .verify(Timeouts.EXPECTED);
    // Capped at maxHistoryPage.
    StepVerifier.create(room.history(HistoryQuery.latest(100)).map(Message::id))
        .expectNextSequence(ids.subList(35, 60))
        .expectComplete()
        .verify(Timeouts.EXPECTED);
    StepVerifier.create(room.history(HistoryQuery.after(ids.get(9), 5)).map(Message::id))
        .expectNextSequence(ids.subList(10, 15))
        .expectComplete()
        .verify(Timeouts.EXPECTED);

    // Scrolling back from the newest, page by page, reads everything once.
    List<String> read = new ArrayList<>(room.history(HistoryQuery.latest(20)).map(Message::id)
        .collectList().block(Timeouts.EXPECTED));
    for (int pages = 0; pages < 10; pages++) {
      List<String> page = room.history(HistoryQuery.before(read.get(0), 20)).map(Message::id)
          .collectList().block(Timeouts.EXPECTED);
      if (page.isEmpty()) {
        break;
      }
      assertThat(page).hasSizeLessThanOrEqualTo(20);
      read.addAll(0, page);
    }
    assertThat(read).isEqualTo(ids);

    StepVerifier.create(node.server().room("nobody-posted").history(10))
        .expectComplete()
        .verify(Timeouts.EXPECTED);
  }

  /** A {@link MemoryStore} that runs a hook before each history read: posts landing mid-replay. */
  /**
   * As above, for a store whose feed is not in id order (a collection feed): the hand-over drops what the
   * replay read, by id, and nothing else.
   */
  @Test
  void postsLandingDuringTheReplayFollowItOnceWhenTheFeedIsInCommitOrder() {
    InterleavingStore store = new InterleavingStore();
    store.inIdOrder = false;
    try (Nodes own = Nodes.sharing(store)) {
      Nodes.Node node = own.start(b -> b.config(c -> c.replayPageSize(7)));
      Room room = node.server().room("r");
      List<String> ids = post(room, 30);
      TestClient client = node.connect();
      AtomicInteger reads = new AtomicInteger();
      store.beforeHistory = () -> {
        if (reads.incrementAndGet() <= 20) {
          post(room, 3);
        }
      };
      node.join(client, "r", Replay.after(ids.get(4)));
      store.beforeHistory = () -> { };
      String live = room.post("m", "live").block(Timeouts.EXPECTED).id();
      room.post("end", 0).block(Timeouts.EXPECTED);

      assertThat(reads.get()).isBetween(3, 20);
      List<String> all = stored(store, HistoryQuery.latest(1000));
      assertThat(all).endsWith(live);
      assertThat(messageIds(until(client, "end"))).isEqualTo(all.subList(5, all.size()));
    }
  }

  private static final class InterleavingStore implements Store {
    private final MemoryStore delegate = new MemoryStore();
    volatile Runnable beforeHistory = () -> { };
    volatile boolean inIdOrder = true;

    @Override
    public boolean feedInIdOrder(String namespace, String room) {
      return inIdOrder;
    }

    @Override
    public Mono<Void> start() {
      return delegate.start();
    }

    @Override
    public Mono<Void> stop() {
      return delegate.stop();
    }

    @Override
    public Mono<Message> append(Post post) {
      return delegate.append(post);
    }

    @Override
    public Flux<Message> history(String namespace, String room, HistoryQuery query) {
      return Flux.defer(() -> {
        beforeHistory.run();
        return delegate.history(namespace, room, query);
      });
    }

    @Override
    public Flux<Message> feed() {
      return delegate.feed();
    }

    @Override
    public Bus bus() {
      return delegate.bus();
    }
  }

  private static List<String> concat(List<String> list, String last) {
    List<String> out = new ArrayList<>(list);
    out.add(last);
    return out;
  }
}
