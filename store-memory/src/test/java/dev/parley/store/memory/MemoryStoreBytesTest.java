package dev.parley.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.error.LimitExceededException;
import dev.parley.spi.Post;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * History is bounded in bytes as well as in count: per room ({@code maxBytesPerRoom}) and over all rooms
 * ({@code maxBytesTotal}); a message larger than a bound is refused. (The shared behaviour is in
 * {@code StoreContractTest}.)
 */
class MemoryStoreBytesTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final long KIB = 1024;

  private static MemoryStoreConfig bytes(long perRoom, long total) {
    return MemoryStoreConfig.defaults().withMaxBytesPerRoom(perRoom).withMaxBytesTotal(total);
  }

  private static JsonNode text(int chars) {
    return JSON.objectNode().put("text", "x".repeat(chars));
  }

  private static Message append(MemoryStore store, String room, JsonNode payload) {
    return store.append(new Post("/", room, "chat", payload, null)).block(WAIT);
  }

  private static List<String> history(MemoryStore store, String room) {
    return store.history("/", room, HistoryQuery.latest(100_000)).map(Message::id).collectList().block(WAIT);
  }

  private static long size(String room, JsonNode payload) {
    return MemorySize.of(new Post("/", room, "chat", payload, null));
  }

  @Test
  void theDefaultsAreDocumentedAndBadBoundsAreRefused() {
    MemoryStoreConfig defaults = MemoryStoreConfig.defaults();
    assertThat(defaults.maxMessagesPerRoom()).isEqualTo(10_000);
    assertThat(defaults.maxBytesPerRoom()).isEqualTo(16L * 1024 * 1024);
    assertThat(defaults.maxBytesTotal()).isEqualTo(Runtime.getRuntime().maxMemory() / 8);
    assertThat(defaults.maxSessionBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 16);
    assertThat(new MemoryStoreConfig(100)).isEqualTo(defaults.withMaxMessagesPerRoom(100));

    assertThatThrownBy(() -> defaults.withMaxBytesPerRoom(1023)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBytesPerRoom must be at least 1024 bytes: 1023");
    assertThatThrownBy(() -> defaults.withMaxBytesTotal(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBytesTotal must be at least 1024 bytes: 0");
    assertThatThrownBy(() -> defaults.withMaxSessionBytes(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSessionBytes must be at least 1024 bytes: -1");
    assertThatThrownBy(() -> defaults.withMaxMessagesPerRoom(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxMessagesPerRoom must be at least 1: 0");
  }

  @Test
  void fiveHundredFiftyPostsOf900KbKeepOnly16MibOfARoom() {
    // The case: with a count bound only, the room held all 550 (495 MB). The payload node is
    // shared, so the test itself stays small; the store counts each message as holding its own.
    MemoryStore store = new MemoryStore();
    JsonNode big = text(900_000);
    long each = size("lobby", big);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 550; i++) {
      ids.add(append(store, "lobby", big).id());
    }

    int fits = (int) (MemoryStoreConfig.DEFAULT_MAX_BYTES_PER_ROOM / each);
    assertThat(fits).isEqualTo(18);
    assertThat(store.retained("/", "lobby")).isEqualTo(fits);
    assertThat(store.retainedBytes("/", "lobby")).isEqualTo(fits * each)
        .isLessThanOrEqualTo(MemoryStoreConfig.DEFAULT_MAX_BYTES_PER_ROOM);
    assertThat(history(store, "lobby")).containsExactlyElementsOf(ids.subList(550 - fits, 550));
  }

  @Test
  void aRoomDropsItsOldestMessagesUntilItFits() {
    MemoryStore store = new MemoryStore(bytes(64 * KIB, 1024 * KIB));
    List<String> ids = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      JsonNode payload = text(random.nextInt(6_000));
      sizes.add(size("lobby", payload));
      ids.add(append(store, "lobby", payload).id());
    }

    // Exactly the newest messages whose sizes add up to no more than the bound, and not one more.
    int kept = 0;
    long sum = 0;
    while (kept < sizes.size() && sum + sizes.get(sizes.size() - 1 - kept) <= 64 * KIB) {
      sum += sizes.get(sizes.size() - 1 - kept);
      kept++;
    }
    assertThat(history(store, "lobby")).containsExactlyElementsOf(ids.subList(200 - kept, 200));
    assertThat(store.retainedBytes("/", "lobby")).isEqualTo(sum);
  }

  @Test
  void aMessageLargerThanARoomIsRefusedAndNeitherStoredNorFed() {
    MemoryStore store = new MemoryStore(bytes(4 * KIB, 1024 * KIB));
    List<Message> fed = new CopyOnWriteArrayList<>();
    Disposable feed = store.feed().subscribe(fed::add);
    try {
      Message before = append(store, "lobby", text(100));

      assertThatThrownBy(() -> append(store, "lobby", text(5_000)))
          .isInstanceOfSatisfying(LimitExceededException.class, e -> {
            assertThat(e.limit()).isEqualTo("maxBytesPerRoom");
            assertThat(e.value()).isEqualTo(4 * KIB);
          });
      Message after = append(store, "lobby", text(100));

      assertThat(history(store, "lobby")).containsExactly(before.id(), after.id());
      assertThat(fed).extracting(Message::id).containsExactly(before.id(), after.id());
      // The refused message took no id: ids stay consecutive.
      assertThat(Long.parseLong(after.id(), 16)).isEqualTo(Long.parseLong(before.id(), 16) + 1);
    } finally {
      feed.dispose();
    }
  }

  @Test
  void aMessageLargerThanTheWholeStoreIsRefusedNamingThatBound() {
    MemoryStore store = new MemoryStore(bytes(64 * KIB, 8 * KIB));

    assertThatThrownBy(() -> append(store, "lobby", text(10_000)))
        .isInstanceOfSatisfying(LimitExceededException.class, e -> assertThat(e.limit()).isEqualTo("maxBytesTotal"));
    assertThat(store.retainedBytes()).isZero();
  }

  @Test
  void beyondTheTotalTheLargestRoomLosesItsOldestFirst() {
    MemoryStore store = new MemoryStore(bytes(64 * KIB, 100 * KIB));
    List<String> busy = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      busy.add(append(store, "busy", text(5_000)).id());   // ~60 KiB
    }
    List<String> quiet = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      quiet.add(append(store, "quiet", text(5_000)).id());   // ~30 KiB
    }
    assertThat(store.retainedBytes()).isLessThanOrEqualTo(100 * KIB);

    String last = append(store, "new", text(15_000)).id();

    assertThat(store.retainedBytes()).isLessThanOrEqualTo(100 * KIB);
    assertThat(history(store, "quiet")).containsExactlyElementsOf(quiet);
    assertThat(history(store, "new")).containsExactly(last);
    List<String> busyNow = history(store, "busy");
    assertThat(busyNow).hasSizeLessThan(busy.size());
    assertThat(busy).endsWith(busyNow.toArray(String[]::new));
  }

  @Test
  void theNewMessageIsNeverTheOneDroppedAndEmptiedRoomsAreForgotten() {
    MemoryStore store = new MemoryStore(bytes(64 * KIB, 16 * KIB));
    for (int i = 0; i < 4; i++) {
      append(store, "a", text(2_000));
    }
    String old = append(store, "b", text(500)).id();

    // The new room holds the most, but only the new message: the others pay, "a" first (the largest).
    String big = append(store, "c", text(9_000)).id();

    assertThat(history(store, "c")).containsExactly(big);
    assertThat(store.retainedBytes()).isLessThanOrEqualTo(16 * KIB);
    assertThat(store.retained("/", "a")).isBetween(1, 3);
    assertThat(history(store, "b")).containsExactly(old);
    assertBookkeeping(store, "a", "b", "c");

    // "c" loses its older message first, then holds only the new one: "a" pays again, down to nothing,
    // and an empty room is gone, bookkeeping included.
    String bigger = append(store, "c", text(12_000)).id();
    assertThat(history(store, "c")).containsExactly(bigger);
    assertThat(store.retained("/", "a")).isZero();
    assertThat(history(store, "b")).containsExactly(old);
    assertBookkeeping(store, "a", "b", "c");
  }

  @Test
  void randomTrafficNeverExceedsEitherBoundAndKeepsEachRoomsNewest() {
    long perRoom = 20 * KIB;
    long total = 64 * KIB;
    MemoryStore store = new MemoryStore(bytes(perRoom, total).withMaxMessagesPerRoom(50));
    Map<String, List<String>> appended = new HashMap<>();
    Random random = new Random(42);
    for (int i = 0; i < 3_000; i++) {
      String room = "room-" + random.nextInt(12);
      JsonNode payload = random.nextInt(10) == 0 ? text(random.nextInt(15_000)) : nested(random);
      appended.computeIfAbsent(room, r -> new ArrayList<>()).add(append(store, room, payload).id());

      assertThat(store.retainedBytes()).isLessThanOrEqualTo(total);
      assertThat(store.retainedBytes("/", room)).isLessThanOrEqualTo(perRoom);
    }
    assertBookkeeping(store, appended.keySet().toArray(String[]::new));
    appended.forEach((room, ids) -> {
      List<String> kept = history(store, room);
      assertThat(kept).hasSizeLessThanOrEqualTo(50);
      assertThat(ids).as(room).endsWith(kept.toArray(String[]::new));
    });
  }

  @Test
  void theEstimateCountsWhatAMessageHolds() {
    assertThat(MemorySize.string("abc")).isEqualTo(MemorySize.STRING + 3);
    assertThat(MemorySize.string("łódź")).isEqualTo(MemorySize.STRING + 8);   // not Latin-1: two bytes a char
    assertThat(MemorySize.string("café")).isEqualTo(MemorySize.STRING + 4);   // Latin-1: one
    ObjectNode payload = JSON.objectNode().put("text", "hi");
    payload.putArray("n").add(1).add(2);
    long expected = MemorySize.VALUE + MemorySize.OBJECT                       // {}
        + MemorySize.MEMBER + MemorySize.string("text") + MemorySize.VALUE + MemorySize.string("hi")
        + MemorySize.MEMBER + MemorySize.string("n") + MemorySize.VALUE + MemorySize.ARRAY
        + 2 * MemorySize.VALUE;
    assertThat(MemorySize.json(payload)).isEqualTo(expected);
    assertThat(MemorySize.of(new Post("/", "lobby", "chat", payload, "ch-1"))).isEqualTo(MemorySize.MESSAGE
        + MemorySize.string("/") + MemorySize.string("lobby") + MemorySize.string("chat")
        + MemorySize.string("ch-1") + expected);

    // Deep nesting is walked without recursion.
    JsonNode deep = JSON.arrayNode();
    for (int i = 0; i < 100_000; i++) {
      deep = JSON.arrayNode().add(deep);
    }
    assertThat(MemorySize.json(deep)).isEqualTo(100_001 * (MemorySize.VALUE + MemorySize.ARRAY));
  }

  private static JsonNode nested(Random random) {
    ObjectNode node = JSON.objectNode().put("from", "user-" + random.nextInt(100)).put("text", "ü".repeat(random.nextInt(300)));
    node.putArray("tags").add("a").add(random.nextInt());
    return node;
  }

  // The total is every room's bytes plus each room's own share, for exactly the rooms that hold messages.
  private static void assertBookkeeping(MemoryStore store, String... rooms) {
    long sum = 0;
    for (String room : rooms) {
      if (store.retained("/", room) > 0) {
        sum += store.retainedBytes("/", room) + MemorySize.ROOM;
      } else {
        assertThat(store.retainedBytes("/", room)).isZero();
      }
    }
    assertThat(store.retainedBytes()).isEqualTo(sum);
  }
}
