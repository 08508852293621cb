package dev.parley.store.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.Message;
import dev.parley.spi.BusMessage;
import dev.parley.spi.Post;
import dev.parley.test.Timeouts;
import dev.parley.testsupport.TestMongo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The change streams behind {@link MongoStore#feed()} and the bus: fan-out to every store on the
 * database, resume after an interruption, and recovery from history when the resume point is lost.
 * The interruption tests stop and restart the in-process server, so they always use it.
 */
class ChangeStreamTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private final List<MongoStore> stores = new ArrayList<>();
  private final List<Disposable> subscriptions = new ArrayList<>();
  private TestMongo mongo;

  @AfterEach
  void close() {
    subscriptions.forEach(Disposable::dispose);
    for (MongoStore store : stores) {
      store.stop().block(Timeouts.EXPECTED);
    }
    if (mongo != null) {
      mongo.close();
    }
  }

  private MongoStore started(MongoStoreConfig config) {
    MongoStore store = new MongoStore(config);
    stores.add(store);
    StepVerifier.create(store.start()).expectComplete().verify(Timeouts.EXPECTED);
    return store;
  }

  private List<Message> record(MongoStore store) {
    List<Message> seen = new CopyOnWriteArrayList<>();
    subscriptions.add(store.feed().subscribe(seen::add));
    return seen;
  }

  private static Message append(MongoStore store, String room, int n) {
    return store.append(new Post("/", room, "m", JsonNodeFactory.instance.numberNode(n), null))
        .block(Timeouts.EXPECTED);
  }

  @Test
  void everyStoreOnTheDatabaseSeesEveryMessageAndEmit() {
    mongo = TestMongo.start();
    MongoStoreConfig config = MongoNodes.config(mongo).build();
    MongoStore first = started(config);
    MongoStore second = started(config);
    List<Message> seenByFirst = record(first);
    List<Message> seenBySecond = record(second);
    List<BusMessage> busFirst = new CopyOnWriteArrayList<>();
    List<BusMessage> busSecond = new CopyOnWriteArrayList<>();
    subscriptions.add(first.bus().messages().subscribe(busFirst::add));
    subscriptions.add(second.bus().messages().subscribe(busSecond::add));

    List<String> posted = List.of(append(first, "x", 1).id(), append(second, "x", 2).id(),
        append(first, "x", 3).id());
    BusMessage emit = new BusMessage("node-2", "/", Set.of("x"), Set.of(), "typing",
        List.of(JsonNodeFactory.instance.objectNode().put("$who", "b")));
    second.bus().publish(emit).block(Timeouts.EXPECTED);

    await().atMost(WAIT).until(() -> seenByFirst.size() == 3 && seenBySecond.size() == 3
        && busFirst.size() == 1 && busSecond.size() == 1);
    assertThat(seenByFirst).extracting(Message::id).containsExactlyElementsOf(posted);
    assertThat(seenBySecond).extracting(Message::id).containsExactlyElementsOf(posted);
    assertThat(busFirst).containsExactly(emit);
    assertThat(busSecond).containsExactly(emit);
  }

  /**
   * The reader's server stops for longer than the driver's own resume attempt lasts, while a writer keeps
   * writing through another port of the same data; when the server is back, the reader's feed resumes
   * from its last event, with every message written meanwhile, once, in order.
   */
  @Test
  void theFeedResumesAfterTheStreamIsInterrupted() {
    mongo = TestMongo.inProcess();
    MongoStoreConfig config = MongoNodes.config(mongo).build();
    MongoStore reader = started(config);
    MongoStore writer = started(config.toBuilder().connectionString(mongo.secondConnectionString()).build());
    List<Message> seen = record(reader);
    List<String> written = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      written.add(append(writer, "r", i).id());
    }
    await().atMost(WAIT).until(() -> seen.size() == 3);

    try (LogCapture log = new LogCapture()) {
      mongo.stopServer();
      await().atMost(WAIT).until(() -> !reader.isLive());
      for (int i = 3; i < 8; i++) {
        written.add(append(writer, "r", i).id());
      }
      mongo.restartServer();
      await().atMost(WAIT).until(() -> seen.size() >= 8);
      written.add(append(writer, "r", 8).id());
      await().atMost(WAIT).until(() -> seen.size() >= 9);

      assertThat(seen).extracting(Message::id).containsExactlyElementsOf(written);
      assertThat(log.text()).contains("was interrupted").doesNotContain("cannot resume");
    }
  }

  /**
   * As above, but the resume point the reader holds is one the server refuses (as when it has left the
   * oplog): the reader opens a new stream and reads what it missed from the messages collection.
   */
  @Test
  void theFeedRecoversFromHistoryWhenTheResumePointIsLost() {
    mongo = TestMongo.inProcess();
    MongoStoreConfig config = MongoNodes.config(mongo).build();
    MongoStore reader = started(config);
    MongoStore writer = started(config.toBuilder().connectionString(mongo.secondConnectionString()).build());
    List<Message> seen = record(reader);
    List<String> written = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      written.add(append(writer, i % 2 == 0 ? "r" : "s", i).id());
    }
    await().atMost(WAIT).until(() -> seen.size() == 3);

    try (LogCapture log = new LogCapture()) {
      // No events follow for the reader until the server is back, so this is the token it resumes with.
      reader.messagesFollower().resumeTokenForTest(new BsonDocument("_data", new BsonString("not-a-token")));
      mongo.stopServer();
      await().atMost(WAIT).until(() -> !reader.isLive());
      for (int i = 3; i < 9; i++) {
        written.add(append(writer, i % 2 == 0 ? "r" : "s", i).id());
      }
      mongo.restartServer();
      await().atMost(WAIT).until(() -> seen.size() >= 9);
      await().atMost(WAIT).until(reader::isLive);
      written.add(append(writer, "r", 9).id());
      await().atMost(WAIT).until(() -> seen.size() >= 10);

      assertThat(seen).hasSize(10);
      for (String room : List.of("r", "s")) {
        assertThat(seen.stream().filter(m -> m.room().equals(room)).map(Message::payload).map(p -> p.asInt()))
            .as(room)
            .containsExactlyElementsOf(room.equals("r") ? List.of(0, 2, 4, 6, 8, 9) : List.of(1, 3, 5, 7));
      }
      assertThat(log.text()).contains("WARN").contains("cannot resume from its last position")
          .contains("documents recovered from the collection");
    }
  }
}
