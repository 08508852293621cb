package dev.parley.store.mongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCommandException;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.parley.HistoryQuery;
import dev.parley.spi.Post;
import dev.parley.store.mongo.internal.MessageIds;
import dev.parley.test.Timeouts;
import dev.parley.testsupport.TestMongo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * History is served by the unique {@code (ns, room, seq)} index. The test records the find commands the
 * store really sends and asks the server to {@code explain} them: the winning plan must scan that index
 * and never the collection. mongo-java-server has no {@code explain} command (nor a query planner), so
 * there the test checks the index definition and that the server says so; against a real mongod
 * ({@code PARLEY_MONGODB_URI}) it checks the plans.
 */
class IndexUseTest {
  private final TestMongo mongo = TestMongo.start();
  private final List<BsonDocument> finds = new CopyOnWriteArrayList<>();
  private final MongoClient client = MongoClients.create(MongoClientSettings.builder()
      .applyConnectionString(new ConnectionString(mongo.connectionString()))
      .addCommandListener(new CommandListener() {
        @Override
        public void commandStarted(CommandStartedEvent event) {
          if (event.getCommandName().equals("find")) {
            finds.add(event.getCommand().clone());
          }
        }
      })
      .build());

  @AfterEach
  void close() {
    client.close();
    mongo.close();
  }

  @Test
  void historyQueriesUseTheRoomSequenceIndex() {
    String database = mongo.newDatabase();
    MongoStore store = new MongoStore(client, MongoStoreConfig.builder().database(database).build());
    store.start().block(Timeouts.EXPECTED);
    try {
      for (int i = 0; i < 20; i++) {
        store.append(new Post("/", i % 2 == 0 ? "r" : "other", "m", JsonNodeFactory.instance.numberNode(i), null))
            .block(Timeouts.EXPECTED);
      }
      finds.clear();
      store.history("/", "r", HistoryQuery.latest(5)).blockLast(Timeouts.EXPECTED);
      store.history("/", "r", HistoryQuery.after(MessageIds.of(3, "/", "r"), 5)).blockLast(Timeouts.EXPECTED);
      store.history("/", "r", HistoryQuery.before(MessageIds.of(8, "/", "r"), 5)).blockLast(Timeouts.EXPECTED);
      store.history("/", "r", new HistoryQuery(MessageIds.of(2, "/", "r"), MessageIds.of(9, "/", "r"), 5))
          .blockLast(Timeouts.EXPECTED);
      assertThat(finds).hasSize(4);

      List<Document> indexes = Flux.from(client.getDatabase(database).getCollection("messages").listIndexes())
          .collectList().block(Timeouts.EXPECTED);
      assertThat(indexes).anySatisfy(index -> {
        assertThat(index.getString("name")).isEqualTo("parley_room_seq");
        assertThat(index.get("key", Document.class)).isEqualTo(new Document("ns", 1).append("room", 1).append("seq", 1));
        assertThat(index.getBoolean("unique")).isTrue();
      });

      for (BsonDocument find : finds) {
        BsonDocument command = new BsonDocument();
        for (String key : List.of("find", "filter", "sort", "limit", "projection")) {
          if (find.containsKey(key)) {
            command.append(key, find.get(key));
          }
        }
        BsonDocument explain = new BsonDocument("explain", command).append("verbosity", new BsonString("queryPlanner"));
        if (mongo.isReal()) {
          Document plan = Mono.from(client.getDatabase(database).runCommand(explain)).block(Timeouts.EXPECTED);
          String winning = ((Document) plan.get("queryPlanner", Document.class).get("winningPlan")).toJson();
          assertThat(winning).as("plan of %s", command).contains("IXSCAN").contains("parley_room_seq")
              .doesNotContain("COLLSCAN").doesNotContain("\"SORT\"");
        } else {
          assertThatThrownBy(() -> Mono.from(client.getDatabase(database).runCommand(explain)).block(Timeouts.EXPECTED))
              .isInstanceOf(MongoCommandException.class)
              .satisfies(e -> assertThat(((MongoCommandException) e).getErrorCode()).isEqualTo(59));
        }
      }
    } finally {
      store.stop().block(Timeouts.EXPECTED);
    }
  }
}
