package dev.parley.examples.readme;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.reactivestreams.client.MongoCollection;
import dev.parley.ChatServer;
import dev.parley.protocol.sse.EventStreamParser;
import dev.parley.testsupport.QueuedEventStream;
import dev.parley.testsupport.RawSocket;
import dev.parley.testsupport.TestMongo;
import dev.parley.testsupport.Timeouts;
import java.lang.reflect.Method;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's tutorial app, compiled from the README and run against a MongoDB: a login, an SSE stream of
 * room 42 and a Socket.IO client in that room watch documents that a plain driver client and the app's own
 * {@code POST /message} insert into the app's collection; Socket.IO's ack and {@code io.emit}.
 */
class TutorialAppTest {
  private static final JsonMapper JSON = JsonMapper.shared();
  @TempDir
  static Path classes;
  private static TestMongo mongo;
  private static URLClassLoader loader;
  private static ChatServer server;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    mongo = TestMongo.start();
    Path source = Files.createDirectories(classes.resolve("src")).resolve("TutorialApp.java");
    Files.writeString(source, Readme.marked("tutorial-server"));
    Path out = Files.createDirectories(classes.resolve("classes"));
    assertThat(Readme.compile(List.of(source), out)).isEmpty();
    loader = Readme.loader(out);
    Method start = loader.loadClass("TutorialApp").getMethod("start", String.class, int.class);
    server = (ChatServer) start.invoke(null, mongo.connectionString(), 0);
    base = "http://127.0.0.1:" + server.address().orElseThrow().getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (mongo.isReal()) {
      Mono.from(mongo.client().getDatabase("chat").drop()).block(Timeouts.STEP);
    }
    mongo.close();
    loader.close();
  }

  @Test
  void thePageItServesIsTheReadmes() throws Exception {
    HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).isEqualTo(Readme.marked("tutorial-page"));
  }

  @Test
  void sseAndSocketIoWatchTheCollectionWhoeverInserts() throws Exception {
    MongoCollection<Document> messages = mongo.client().getDatabase("chat").getCollection("message");
    insert(messages, new Document("parent", "42").append("text", "stored first"));
    insert(messages, new Document("parent", "42").append("text", "stored second"));
    insert(messages, new Document("parent", "7").append("text", "another room"));

    HttpClient anonymous = HttpClient.newHttpClient();
    assertThat(anonymous.send(stream("/sse/42"), HttpResponse.BodyHandlers.ofString()).statusCode())
        .as("isLogin").isEqualTo(401);
    HttpClient alice = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    assertThat(post(alice, "/login?user=").statusCode()).isEqualTo(400);
    assertThat(post(alice, "/login?user=alice").statusCode()).isEqualTo(204);

    // Pattern 1: the stream of room 42.
    Events sse = new Events();
    alice.sendAsync(stream("/sse/42"), HttpResponse.BodyHandlers.fromLineSubscriber(sse));
    assertThat(sse.next().type()).isEqualTo("parley:session");
    assertThat(texts(sse.data("messages"))).containsExactly("stored first", "stored second");

    // Pattern 2: a Socket.IO client, logged in by the same cookie, joins room 42.
    try (RawSocket socket = RawSocket.connect(alice, base, "{}")) {
      socket.emit(-1, "joinRoom", "42");
      ArrayNodeEvent joined = ArrayNodeEvent.of(socket.nextEvent());
      assertThat(joined.name()).isEqualTo("messages");
      assertThat(texts(joined.arg())).containsExactly("stored first", "stored second");

      // Inserted by another program: both see it, as an array of one.
      insert(messages, new Document("parent", "42").append("text", "from mongosh"));
      assertThat(texts(sse.data("messages"))).containsExactly("from mongosh");
      assertThat(texts(ArrayNodeEvent.of(socket.nextEvent()).arg())).containsExactly("from mongosh");

      // Inserted by the app's own route.
      assertThat(post(alice, "/message?parent=42&text=from%20the%20route").statusCode()).isEqualTo(204);
      JsonNode routed = sse.data("messages");
      assertThat(texts(routed)).containsExactly("from the route");
      assertThat(routed.get(0).get("user").asString()).isEqualTo("alice");
      assertThat(texts(ArrayNodeEvent.of(socket.nextEvent()).arg())).containsExactly("from the route");
      assertThat(post(anonymous, "/message?parent=42&text=x").statusCode()).isEqualTo(401);

      // done() and io.emit: the sender gets its ack and the broadcast.
      socket.emit(1, "message-name", "hello");
      List<String> frames = List.of(socket.next(), socket.next());
      assertThat(frames).anyMatch(frame -> frame.equals("431[]"));
      assertThat(frames).anyMatch(frame -> frame.startsWith("42[\"server-message\",\"hello\""));
    } finally {
      sse.cancel();
    }
  }

  private static void insert(MongoCollection<Document> messages, Document document) {
    Mono.from(messages.insertOne(document)).block(Timeouts.STEP);
  }

  private HttpRequest stream(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/event-stream").build();
  }

  private HttpResponse<String> post(HttpClient client, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> texts(JsonNode array) {
    return array.valueStream().map(document -> document.get("text").asString()).toList();
  }

  /** A Socket.IO event's name and first argument. */
  private record ArrayNodeEvent(String name, JsonNode arg) {
    static ArrayNodeEvent of(JsonNode frame) {
      return new ArrayNodeEvent(frame.get(0).asString(), frame.get(1));
    }
  }

  /** An SSE stream's events, queued. */
  private static final class Events extends QueuedEventStream {
    /** The data of the next event, which must be of this type, as JSON. */
    JsonNode data(String type) throws InterruptedException {
      EventStreamParser.Event event = next();
      assertThat(event.type()).isEqualTo(type);
      return JSON.readTree(event.data());
    }
  }
}
