package dev.parley.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.spi.Bus;
import dev.parley.spi.BusMessage;
import dev.parley.spi.Post;
import dev.parley.spi.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The contract every {@link Store} must pass, as documented on {@link Store}: ids, history pages, the
 * feed, isolation of rooms and namespaces, names as plain values, the bus, and health.
 *
 * <p>Extend it in the store's own tests and say how to make a store:
 *
 * <pre>{@code
 * class MongoStoreContractTest extends StoreContractTest {
 *   @Override
 *   protected Store newStore() {
 *     return new MongoStore(settings);
 *   }
 * }
 * }</pre>
 *
 * <p>Each test gets a new store from {@link #newStore()}, started, and works in a namespace of its own,
 * so stores that share a database between tests still see only the test's own messages. The store is
 * stopped after the test by {@link #closeStore(Store)}, which implementers may override to drop data.
 *
 * <p>The session cases need a store that implements {@link Store#saveSession} and
 * {@link Store#takeSession}; a store that keeps the defaults (no recovery) fails them. The case of two
 * nodes taking one session at once uses {@link #newPeerStore()}, a second store on the same data.
 */
public abstract class StoreContractTest {
  /** How long one store operation may take. */
  protected static final Duration TIMEOUT = Timeouts.EXPECTED;

  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private @Nullable Store store;
  private @Nullable Store peer;
  private String namespace = "/";

  /** A new, not yet started store; the suite starts it. */
  protected abstract Store newStore();

  /**
   * A second, not yet started store on the same data as the {@link #newStore()} of the same test, as
   * another node would have: for a database-backed store, a new instance on the same database. By
   * default {@code null}, meaning that one instance serves every node (as {@code MemoryStore} does), so
   * the test's own store plays both nodes. The suite starts it, and releases it after the test with
   * {@link #closeStore(Store)}.
   */
  protected @Nullable Store newPeerStore() {
    return null;
  }

  /** Releases a store after a test; by default {@link Store#stop()}. Override to drop its data too. */
  protected void closeStore(Store store) {
    store.stop().block(TIMEOUT);
  }

  @BeforeEach
  void startStore() {
    Store created = newStore();
    StepVerifier.create(created.start()).expectComplete().verify(TIMEOUT);
    store = created;
    namespace = "/contract-" + System.nanoTime() + "-" + NAMESPACES.incrementAndGet();
  }

  @AfterEach
  void stopStore() {
    Store current = store;
    Store other = peer;
    store = null;
    peer = null;
    try {
      if (other != null) {
        closeStore(other);
      }
    } finally {
      if (current != null) {
        closeStore(current);
      }
    }
  }

  /** The second node's store, started: {@link #newPeerStore()}, or the test's own store. */
  private Store peer() {
    Store current = peer;
    if (current == null) {
      Store created = newPeerStore();
      if (created == null) {
        return store();
      }
      peer = created;
      StepVerifier.create(created.start()).expectComplete().verify(TIMEOUT);
      current = created;
    }
    return current;
  }

  /** The store under test, started. */
  protected final Store store() {
    Store current = store;
    if (current == null) {
      throw new IllegalStateException("no store: newStore() has not been called yet");
    }
    return current;
  }

  /** The namespace this test appends to: unique per test. */
  protected final String namespace() {
    return namespace;
  }

  // ---- helpers ----

  private static ObjectNode payload(int n) {
    return JSON.objectNode().put("n", n).put("text", "message " + n);
  }

  private Message append(String room, int n) {
    return append(new Post(namespace, room, "chat", payload(n), null));
  }

  private Message append(Post post) {
    Message message = store().append(post).block(TIMEOUT);
    assertThat(message).as("append(%s)", post).isNotNull();
    return message;
  }

  /** Appends {@code count} messages to a room, numbered from 0, and returns their ids in order. */
  private List<String> appendMany(String room, int count) {
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(append(room, i).id());
    }
    return ids;
  }

  private List<Message> history(String room, HistoryQuery query) {
    return history(namespace, room, query);
  }

  private List<Message> history(String ns, String room, HistoryQuery query) {
    List<Message> page = new ArrayList<>();
    StepVerifier.create(store().history(ns, room, query))
        .recordWith(() -> page)
        .thenConsumeWhile(m -> true)
        .expectComplete()
        .verify(TIMEOUT);
    return page;
  }

  private static List<String> ids(List<Message> messages) {
    return messages.stream().map(Message::id).toList();
  }

  private static List<String> reversed(List<String> ids) {
    List<String> copy = new ArrayList<>(ids);
    Collections.reverse(copy);
    return copy;
  }

  /** Asserts that the page {@code query} reads from the lobby holds exactly the messages {@code expected}, in order. */
  private void assertLobbyPage(HistoryQuery query, List<String> expected) {
    assertThat(ids(history("lobby", query))).as("%s", query).containsExactlyElementsOf(expected);
  }

  private static void assertStrictlyIncreasing(List<String> ids) {
    for (int i = 1; i < ids.size(); i++) {
      assertThat(ids.get(i)).as("id %d of %d", i, ids.size()).isGreaterThan(ids.get(i - 1));
    }
  }

  // ---- the contract ----

  @Nested
  @DisplayName("start")
  class Lifecycle {

    @Test
    @DisplayName("is idempotent: a store shared by several servers is started by each of them")
    void startTwice() {
      StepVerifier.create(store().start()).expectComplete().verify(TIMEOUT);
      StepVerifier.create(store().start()).expectComplete().verify(TIMEOUT);

      assertThat(append("lobby", 0).room()).isEqualTo("lobby");
    }

    @Test
    @DisplayName("a started store's health completes with one value, up, whose details are never null")
    void health() {
      StepVerifier.create(store().health())
          .assertNext(health -> {
            assertThat(health).isNotNull();
            assertThat(health.details()).isNotNull();
            assertThat(health.up()).as("health of a started store: %s", health.details()).isTrue();
          })
          .expectComplete()
          .verify(TIMEOUT);
    }
  }

  @Nested
  @DisplayName("append")
  class Append {

    @Test
    @DisplayName("returns the message as posted, with an id and a time assigned")
    void returnsStoredMessage() {
      ObjectNode body = payload(7);
      StepVerifier.create(store().append(new Post(namespace, "lobby", "chat", body, "channel-1")))
          .assertNext(m -> {
            assertThat(m.id()).isNotBlank();
            assertThat(m.namespace()).isEqualTo(namespace);
            assertThat(m.room()).isEqualTo("lobby");
            assertThat(m.event()).isEqualTo("chat");
            assertThat(m.payload()).isEqualTo(body);
            assertThat(m.sender()).isEqualTo("channel-1");
            assertThat(m.createdAt()).isNotNull();
          })
          .expectComplete()
          .verify(TIMEOUT);
    }

    @Test
    @DisplayName("keeps a null sender null: a message the server posted")
    void serverPostHasNoSender() {
      assertThat(append("lobby", 0).sender()).isNull();
      assertThat(history("lobby", HistoryQuery.latest(1))).singleElement()
          .extracting(Message::sender).isNull();
    }

    @Test
    @DisplayName("assigns fixed-width ids that grow strictly in String order within each room")
    void idsAreFixedWidthAndIncreasing() {
      // Ids order a room; across rooms a store need not relate them (Store: ids order messages within a room).
      List<String> a = new ArrayList<>();
      List<String> b = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        (i % 3 == 0 ? a : b).add(append(i % 3 == 0 ? "a" : "b", i).id());
      }

      for (List<String> ids : List.of(a, b)) {
        assertThat(new HashSet<>(ids)).hasSize(ids.size());
        assertThat(ids).allSatisfy(id -> assertThat(id).hasSameSizeAs(a.get(0)));
        assertStrictlyIncreasing(ids);
      }
    }
  }

  @Nested
  @DisplayName("history")
  class History {

    @Test
    @DisplayName("latest(n) holds the last n messages, oldest first")
    void latest() {
      List<String> ids = appendMany("lobby", 10);

      assertThat(ids(history("lobby", HistoryQuery.latest(3)))).containsExactlyElementsOf(ids.subList(7, 10));
      assertThat(ids(history("lobby", HistoryQuery.latest(1)))).containsExactly(ids.get(9));
    }

    @Test
    @DisplayName("latest(n) with n beyond the room's size holds the whole room, oldest first")
    void latestBeyondSize() {
      List<String> ids = appendMany("lobby", 5);

      assertThat(ids(history("lobby", HistoryQuery.latest(100)))).containsExactlyElementsOf(ids);
    }

    @Test
    @DisplayName("returns each message as it was appended")
    void messagesIntact() {
      Message stored = append(new Post(namespace, "lobby", "news", payload(3), "channel-9"));

      assertThat(history("lobby", HistoryQuery.latest(1))).singleElement().satisfies(m -> {
        assertThat(m.id()).isEqualTo(stored.id());
        assertThat(m.namespace()).isEqualTo(namespace);
        assertThat(m.room()).isEqualTo("lobby");
        assertThat(m.event()).isEqualTo("news");
        assertThat(m.payload()).isEqualTo(payload(3));
        assertThat(m.sender()).isEqualTo("channel-9");
      });
    }

    /**
     * One bound over a room of ten: a page cut at n, a page cut by the room's end, and none past the end.
     * {@code away} lists the room's ids in the direction the bound reads away from its cursor (oldest first
     * for after, newest first for before); {@code oldestFirst} puts a run of {@code away} in page order.
     */
    private void assertOneBound(BiFunction<String, Integer, HistoryQuery> bound, List<String> away,
                                UnaryOperator<List<String>> oldestFirst) {
      assertLobbyPage(bound.apply(away.get(2), 3), oldestFirst.apply(away.subList(3, 6)));
      assertLobbyPage(bound.apply(away.get(6), 100), oldestFirst.apply(away.subList(7, 10)));
      assertLobbyPage(bound.apply(away.get(9), 5), List.of());
    }

    @Test
    @DisplayName("after(id, n) holds the first n messages after id, exclusive, oldest first")
    void after() {
      assertOneBound(HistoryQuery::after, appendMany("lobby", 10), page -> page);
    }

    @Test
    @DisplayName("after(id, n) pages through a whole room with no gap and no repeat")
    void afterPages() {
      List<String> ids = appendMany("lobby", 23);
      List<String> read = new ArrayList<>();
      String cursor = ids.get(0);
      read.add(cursor);
      for (int pages = 0; pages < 10; pages++) {
        List<Message> page = history("lobby", HistoryQuery.after(cursor, 5));
        if (page.isEmpty()) {
          break;
        }
        assertThat(page).hasSizeLessThanOrEqualTo(5);
        read.addAll(ids(page));
        cursor = page.get(page.size() - 1).id();
      }

      assertThat(read).containsExactlyElementsOf(ids);
    }

    @Test
    @DisplayName("before(id, n) holds the last n messages before id, exclusive, oldest first")
    void before() {
      assertOneBound(HistoryQuery::before, reversed(appendMany("lobby", 10)), StoreContractTest::reversed);
    }

    @Test
    @DisplayName("a page with both bounds holds only messages strictly between them")
    void afterAndBefore() {
      List<String> ids = appendMany("lobby", 10);

      assertLobbyPage(new HistoryQuery(ids.get(2), ids.get(6), 100), ids.subList(3, 6));
      assertLobbyPage(new HistoryQuery(ids.get(2), ids.get(6), 2), ids.subList(3, 5));
    }

    @Test
    @DisplayName("compares a cursor as a String: a string that is no id of the room bounds the page too")
    void cursorThatIsNoId() {
      List<String> ids = appendMany("lobby", 5);
      // Sorts after ids[1] (it extends it) and before ids[2] (which differs from ids[1] at a greater char).
      String between = ids.get(1) + "~";

      assertLobbyPage(HistoryQuery.after(between, 100), ids.subList(2, 5));
      assertLobbyPage(HistoryQuery.before(between, 100), ids.subList(0, 2));
      assertLobbyPage(HistoryQuery.after("", 100), ids);
      assertLobbyPage(HistoryQuery.before("", 100), List.of());
      assertLobbyPage(HistoryQuery.after("\uffff", 100), List.of());
    }

    @Test
    @DisplayName("of a room nobody posted to is empty")
    void unknownRoom() {
      appendMany("lobby", 3);

      assertThat(history("nobody-posted-here", HistoryQuery.latest(10))).isEmpty();
      assertThat(history("/never-used-namespace-" + namespace, "lobby", HistoryQuery.latest(10))).isEmpty();
    }
  }

  @Nested
  @DisplayName("rooms and namespaces")
  class Isolation {

    @Test
    @DisplayName("a room's history holds only its own messages")
    void roomsAreIsolated() {
      List<String> a = new ArrayList<>();
      List<String> b = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        (i % 2 == 0 ? a : b).add(append(i % 2 == 0 ? "a" : "b", i).id());
      }

      assertThat(ids(history("a", HistoryQuery.latest(100)))).containsExactlyElementsOf(a);
      assertThat(ids(history("b", HistoryQuery.latest(100)))).containsExactlyElementsOf(b);
    }

    @Test
    @DisplayName("the same room name in two namespaces is two rooms")
    void namespacesAreIsolated() {
      String otherNamespace = namespace + "-other";
      Message here = append("lobby", 1);
      Message there = append(new Post(otherNamespace, "lobby", "chat", payload(2), null));

      assertThat(history(namespace, "lobby", HistoryQuery.latest(10))).extracting(Message::id)
          .containsExactly(here.id());
      assertThat(history(otherNamespace, "lobby", HistoryQuery.latest(10))).extracting(Message::id)
          .containsExactly(there.id());
    }
  }

  @Nested
  @DisplayName("names are plain values")
  class PlainNames {
    private static final List<String> HOSTILE_ROOMS = List.of(
        "{\"$ne\": null}", "$where", "$gt", "a.b", "a", "ab", ".*", "^a", "a*", "[a-z]+", "a'b\"c",
        "/", "\\", "a b", "function() { return true; }", "łódź 🎉",
        "$".repeat(64) + ".".repeat(63) + "x");

    @Test
    @DisplayName("rooms named like query operators, paths or patterns keep exactly their own messages")
    void hostileRoomNames() {
      assertThat(HOSTILE_ROOMS.get(HOSTILE_ROOMS.size() - 1)).hasSize(128);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < HOSTILE_ROOMS.size(); i++) {
        ids.add(append(HOSTILE_ROOMS.get(i), i).id());
      }

      for (int i = 0; i < HOSTILE_ROOMS.size(); i++) {
        String room = HOSTILE_ROOMS.get(i);
        assertThat(history(room, HistoryQuery.latest(100)))
            .as("history of room %s", room)
            .singleElement()
            .satisfies(m -> {
              assertThat(m.room()).isEqualTo(room);
              assertThat(m.id()).isIn(ids);
            });
        assertThat(history(room, HistoryQuery.latest(100)).get(0).id()).isEqualTo(ids.get(i));
      }
      assertThat(history("{\"$ne\": \"x\"}", HistoryQuery.latest(100))).isEmpty();
      assertThat(history("b", HistoryQuery.latest(100))).isEmpty();
    }

    @Test
    @DisplayName("a namespace named like an operator is a plain value too")
    void hostileNamespace() {
      String hostile = "/{\"$ne\": null}";
      Message there = append(new Post(hostile + namespace, "$where", "chat", payload(1), null));
      append("$where", 2);

      assertThat(history(hostile + namespace, "$where", HistoryQuery.latest(10))).extracting(Message::id)
          .containsExactly(there.id());
      assertThat(history(hostile, "$where", HistoryQuery.latest(10))).isEmpty();
    }

    @Test
    @DisplayName("payload keys such as $set and a.b are stored and read back intact")
    void hostilePayloadKeys() {
      ObjectNode body = JSON.objectNode();
      body.put("$set", "x");
      body.put("a.b", 1);
      body.put("$where", "function() { return true; }");
      body.putObject("nested").putObject("$gt").putNull("x.y").put("$exists", true);
      body.putArray("list").addObject().put("$inc", 1);
      body.put("text", "line1\nline2\u0000end");
      Message stored = append(new Post(namespace, "lobby", "a.b", body, "$ne"));

      assertThat(stored.payload()).isEqualTo(body);
      assertThat(history("lobby", HistoryQuery.latest(1))).singleElement().satisfies(m -> {
        assertThat(m.payload()).isEqualTo(body);
        assertThat(m.event()).isEqualTo("a.b");
        assertThat(m.sender()).isEqualTo("$ne");
      });
    }

    @Test
    @DisplayName("payloads of every JSON type, not only objects, are stored and read back intact")
    void payloadTypes() {
      List<JsonNode> payloads = List.of(JSON.textNode("plain"), JSON.numberNode(42), JSON.booleanNode(true),
          JSON.nullNode(), JSON.arrayNode().add(1).add("two"), JSON.numberNode(1.5));
      for (JsonNode body : payloads) {
        append(new Post(namespace, "lobby", "chat", body, null));
      }

      assertThat(history("lobby", HistoryQuery.latest(100))).extracting(Message::payload)
          .containsExactlyElementsOf(payloads);
    }
  }

  @Nested
  @DisplayName("feed")
  class Feed {

    private Flux<Message> ownFeed() {
      return store().feed().filter(m -> m.namespace().equals(namespace));
    }

    @Test
    @DisplayName("emits every appended message, of every room, in the order they were appended")
    void emitsAppendedMessages() {
      List<Message> appended = new ArrayList<>();
      List<Message> seen = new ArrayList<>();
      StepVerifier.create(ownFeed().take(9))
          .then(() -> {
            for (int i = 0; i < 9; i++) {
              appended.add(append(i % 2 == 0 ? "a" : "b", i));
            }
          })
          .recordWith(() -> seen)
          .expectNextCount(9)
          .expectComplete()
          .verify(TIMEOUT);

      assertThat(seen).extracting(Message::id).containsExactlyElementsOf(ids(appended));
      assertThat(seen).extracting(Message::room).containsExactlyElementsOf(
          appended.stream().map(Message::room).toList());
      assertThat(seen).extracting(Message::payload).containsExactlyElementsOf(
          appended.stream().map(Message::payload).toList());
    }

    @Test
    @DisplayName("emits every message appended concurrently from several threads exactly once, each room in id order")
    void concurrentAppends() throws Exception {
      int threads = 4;
      int perThread = 500;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<List<String>>> appenders = new ArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      try {
        List<Message> seen = new ArrayList<>();
        StepVerifier.create(ownFeed().take(threads * perThread))
            .then(() -> {
              for (int t = 0; t < threads; t++) {
                String room = "room-" + (t % 2);
                appenders.add(pool.submit(() -> {
                  go.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                  List<String> ids = new ArrayList<>(perThread);
                  for (int i = 0; i < perThread; i++) {
                    ids.add(append(room, i).id());
                  }
                  return ids;
                }));
              }
              go.countDown();
            })
            .recordWith(() -> seen)
            .expectNextCount(threads * perThread)
            .expectComplete()
            .verify(TIMEOUT);

        // Appender t posted to room-(t % 2); ids are compared within each room.
        List<Set<String>> returned = List.of(new HashSet<>(), new HashSet<>());
        for (int t = 0; t < threads; t++) {
          List<String> ids = appenders.get(t).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          assertStrictlyIncreasing(ids);
          returned.get(t % 2).addAll(ids);
        }
        for (int r = 0; r < 2; r++) {
          String room = "room-" + r;
          List<String> fed = ids(seen.stream().filter(m -> m.room().equals(room)).toList());
          assertThat(returned.get(r)).as(room).hasSize(threads / 2 * perThread);
          assertStrictlyIncreasing(fed);
          assertThat(new HashSet<>(fed)).as(room).isEqualTo(returned.get(r));
          assertThat(new HashSet<>(ids(history(room, HistoryQuery.latest(threads * perThread))))).as(room)
              .isEqualTo(returned.get(r));
        }
      } finally {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      }
    }

    @Test
    @DisplayName("emits to every subscriber: each node of a shared store sees every message")
    void everySubscriber() {
      List<Message> appended = new ArrayList<>();
      List<Message> first = new ArrayList<>();
      List<Message> second = new ArrayList<>();
      StepVerifier.create(Flux.merge(ownFeed().take(3).doOnNext(first::add), ownFeed().take(3).doOnNext(second::add)))
          .then(() -> {
            for (int i = 0; i < 3; i++) {
              appended.add(append("lobby", i));
            }
          })
          .expectNextCount(6)
          .expectComplete()
          .verify(TIMEOUT);

      assertThat(first).extracting(Message::id).containsExactlyElementsOf(ids(appended));
      assertThat(second).extracting(Message::id).containsExactlyElementsOf(ids(appended));
    }
  }

  @Nested
  @DisplayName("bus")
  class BusContract {

    private BusMessage message(String event, int n) {
      return new BusMessage("node-a", namespace, Set.of("lobby", "{\"$ne\": null}"), Set.of("$where"), event,
          List.of(payload(n), JSON.textNode("a.b")));
    }

    private Flux<BusMessage> ownMessages(Bus bus) {
      return bus.messages().filter(m -> m.namespace().equals(namespace));
    }

    @Test
    @DisplayName("delivers a published message, intact, to every subscriber, the publisher's node included")
    void deliversToEverySubscriber() {
      Bus bus = store().bus();
      BusMessage sent = message("typing", 1);

      StepVerifier.create(Flux.merge(ownMessages(bus).take(1), ownMessages(bus).take(1), ownMessages(bus).take(1)))
          .then(() -> StepVerifier.create(bus.publish(sent)).expectComplete().verify(TIMEOUT))
          .expectNext(sent, sent, sent)
          .expectComplete()
          .verify(TIMEOUT);
    }

    @Test
    @DisplayName("delivers a burst published without waiting, every message once, in the order published")
    void keepsOrderOfABurst() {
      Bus bus = store().bus();
      List<BusMessage> sent = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        sent.add(message("burst", i));
      }

      StepVerifier.create(ownMessages(bus).take(sent.size()))
          .then(() -> Flux.fromIterable(sent).flatMap(bus::publish, sent.size()).then().block(TIMEOUT))
          .expectNextSequence(sent)
          .expectComplete()
          .verify(TIMEOUT);
    }

    @Test
    @DisplayName("carries a cluster message's kind, target and data intact, and an emit's absence of them")
    void carriesKindTargetAndData() {
      Bus bus = store().bus();
      ObjectNode data = JSON.objectNode();
      data.put("request", "r-1").put("n", 7).putArray("ids").add("a").add("{\"$ne\": 1}");
      data.putObject("nested").put("$where", "x").putNull("none");
      BusMessage request = new BusMessage("node-a", "node-b", "fetch", namespace, Set.of("lobby"), Set.of(),
          "", List.of(), data);
      BusMessage emit = message("typing", 2);

      StepVerifier.create(ownMessages(bus).take(2))
          .then(() -> {
            bus.publish(request).block(TIMEOUT);
            bus.publish(emit).block(TIMEOUT);
          })
          .assertNext(m -> assertThat(m).isEqualTo(request))
          .assertNext(m -> {
            assertThat(m).isEqualTo(emit);
            assertThat(m.kind()).isEqualTo(BusMessage.EMIT);
            assertThat(m.target()).isNull();
            assertThat(m.data()).isNull();
          })
          .expectComplete()
          .verify(TIMEOUT);
    }

    @Test
    @DisplayName("delivers one publisher's messages in the order they were published")
    void keepsPublishOrder() {
      Bus bus = store().bus();
      List<BusMessage> sent = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        sent.add(message("tick", i));
      }

      StepVerifier.create(ownMessages(bus).take(sent.size()))
          .then(() -> sent.forEach(m -> bus.publish(m).block(TIMEOUT)))
          .expectNextSequence(sent)
          .expectComplete()
          .verify(TIMEOUT);
    }
  }

  @Nested
  @DisplayName("sessions")
  class Sessions {
    private static final Duration TTL = Duration.ofMinutes(1);
    private static final Duration SHORT_TTL = Duration.ofMillis(300);

    private void save(Store on, String ns, String privateId, String state, Duration ttl) {
      StepVerifier.create(on.saveSession(ns, privateId, state, ttl)).expectComplete().verify(TIMEOUT);
    }

    private void save(String privateId, String state, Duration ttl) {
      save(store(), namespace, privateId, state, ttl);
    }

    private @Nullable String take(Store from, String ns, String privateId) {
      return from.takeSession(ns, privateId).block(TIMEOUT);
    }

    private @Nullable String take(String privateId) {
      return take(store(), namespace, privateId);
    }

    @Test
    @DisplayName("a saved state is taken back intact, once: a second take finds nothing")
    void takenOnce() {
      String state = "{\"id\":\"ch-1\",\"rooms\":[\"lobby\"],\"data\":\"line1\\nline2\u0000end łódź 🎉\"}";
      save("pid-1", state, TTL);

      assertThat(take("pid-1")).isEqualTo(state);
      assertThat(take("pid-1")).isNull();
    }

    @Test
    @DisplayName("taking a private id nobody saved finds nothing")
    void unknown() {
      save("pid-1", "state", TTL);

      assertThat(take("pid-2")).isNull();
      assertThat(take("pid-1")).isEqualTo("state");
    }

    @Test
    @DisplayName("a save replaces the state saved earlier under the same private id")
    void replace() {
      save("pid-1", "first", TTL);
      save("pid-1", "second", TTL);

      assertThat(take("pid-1")).isEqualTo("second");
      assertThat(take("pid-1")).isNull();
    }

    @Test
    @DisplayName("a state is gone once its ttl has passed; a save with a longer ttl restarts it")
    void expiry() {
      save("short", "short-lived", SHORT_TTL);
      save("renewed", "old", SHORT_TTL);
      save("renewed", "renewed", TTL);
      save("long", "long-lived", TTL);

      // Taking is the only way to observe a session and it consumes it, so there is nothing to poll:
      // wait out the short ttl (without holding a thread), then look once.
      StepVerifier.create(Mono.delay(SHORT_TTL.plusMillis(50))).expectNextCount(1).expectComplete().verify(TIMEOUT);

      assertThat(take("short")).isNull();
      assertThat(take("renewed")).isEqualTo("renewed");
      assertThat(take("long")).isEqualTo("long-lived");
    }

    @Test
    @DisplayName("the same private id in two namespaces is two sessions")
    void namespacesAreSeparate() {
      String other = namespace + "-other";
      save("pid-1", "here", TTL);
      save(store(), other, "pid-1", "there", TTL);

      assertThat(take(store(), other, "pid-1")).isEqualTo("there");
      assertThat(take(store(), other, "pid-1")).isNull();
      assertThat(take("pid-1")).isEqualTo("here");
    }

    @Test
    @DisplayName("two nodes taking the same sessions at once: each session goes to exactly one of them")
    void concurrentTakes() throws Exception {
      List<String> pids = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        pids.add("pid-" + i);
        save("pid-" + i, "state-" + i, TTL);
      }
      List<Store> nodes = List.of(store(), peer());
      ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
      CountDownLatch go = new CountDownLatch(1);
      try {
        List<Future<List<String>>> takers = new ArrayList<>();
        for (Store node : nodes) {
          // Each node asks for every session at once, so the two nodes' takes of one session overlap.
          takers.add(pool.submit(() -> {
            go.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return Flux.fromIterable(pids)
                .flatMap(pid -> node.takeSession(namespace, pid).map(state -> pid + "=" + state), pids.size())
                .collectList()
                .block(TIMEOUT);
          }));
        }
        go.countDown();
        List<String> taken = new ArrayList<>();
        for (Future<List<String>> taker : takers) {
          taken.addAll(taker.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }

        assertThat(taken).containsExactlyInAnyOrderElementsOf(
            pids.stream().map(pid -> pid + "=state-" + pid.substring(4)).toList());
      } finally {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      }
    }

    @Test
    @DisplayName("a session saved by one node is taken by another")
    void otherNodeTakes() {
      save("pid-1", "state", TTL);

      assertThat(take(peer(), namespace, "pid-1")).isEqualTo("state");
      assertThat(take("pid-1")).isNull();
    }

    @Test
    @DisplayName("private ids and namespaces named like operators, paths or quotes are plain values")
    void hostileKeys() {
      List<String> ids = List.of("{\"$ne\": null}", "$where", "$gt", "a.b", ".", "a'b\"c", "\\", "a b", "łódź 🎉",
          "$".repeat(40) + ".".repeat(40));
      for (int i = 0; i < ids.size(); i++) {
        save(ids.get(i), "state-" + i, TTL);
      }
      String hostileNamespace = "/{\"$ne\": null}.$where" + namespace;
      save(store(), hostileNamespace, "$where", "hostile-namespace", TTL);

      assertThat(take("{\"$ne\": \"x\"}")).isNull();
      assertThat(take("a")).isNull();
      assertThat(take(store(), "/{\"$ne\": null}", "$where")).isNull();
      for (int i = 0; i < ids.size(); i++) {
        assertThat(take(ids.get(i))).as("take(%s)", ids.get(i)).isEqualTo("state-" + i);
      }
      assertThat(take(store(), hostileNamespace, "$where")).isEqualTo("hostile-namespace");
    }
  }
}
