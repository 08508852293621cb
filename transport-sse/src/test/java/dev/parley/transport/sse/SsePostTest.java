package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.Event;
import dev.parley.Message;
import dev.parley.testsupport.SseParser.SseEvent;
import dev.parley.testsupport.Timeouts;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Client-to-server traffic: acks in the POST response, server acks answered by POST, and every bad input's
 * answer. One server for the class (each test uses its own room); bad input must not disturb it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SsePostTest {
  private static final int MAX_POST_BODY = 1024;

  private final HttpClient http = SseTestClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final SseTransport transport = new SseTransport(SseTransportConfig.builder().maxPostBody(MAX_POST_BODY)
      .postAckTimeout(Duration.ofMillis(500)).heartbeatInterval(Duration.ofHours(1)).build());
  private final BlockingQueue<Event> later = new LinkedBlockingQueue<>();
  private ChatServer server;
  private String room;

  @BeforeAll
  void start() {
    // "later" leaves the ack to the test: it acks after the handler returned, whenever the test says.
    server = SseTestApp.start(transport, b -> b.onConnection(channel ->
        channel.on("later", (ch, event) -> later.add(event))));
  }

  @BeforeEach
  void nameRoom(TestInfo test) {
    room = test.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void closeClients() {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    toClose.clear();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private SseTestClient open() throws Exception {
    SseTestClient client = SseTestClient.open(http, SseTestApp.stream(server, room));
    toClose.add(client);
    client.sync();
    return client;
  }

  private static JsonNode json(String text) {
    return SseTestClient.MAPPER.readTree(text);
  }

  private static void assertJsonError(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
        assertThat(type.toLowerCase(Locale.ROOT)).startsWith("application/json"));
    JsonNode body = json(response.body());
    assertThat(body.path("error").isString()).as(response.body()).isTrue();
    assertThat(body.path("error").asString()).isNotBlank();
  }

  @Test
  void syncAckIsThe200BodyWithoutAskingForIt() throws Exception {
    SseTestClient client = open();
    HttpResponse<String> echoed = client.emit("echo", 1, "two", Map.of("three", 3));
    assertThat(echoed.statusCode()).isEqualTo(200);
    assertThat(echoed.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
        assertThat(type).startsWith("application/json"));
    assertThat(json(echoed.body())).isEqualTo(json("[1,\"two\",{\"three\":3}]"));

    HttpResponse<String> empty = client.emit("echo");
    assertThat(empty.statusCode()).isEqualTo(200);
    assertThat(empty.body()).isEqualTo("[]");
  }

  @Test
  void storeAckArrivesInTheResponseWhenAskedFor() throws Exception {
    SseTestClient client = open();
    HttpResponse<String> acked = client.emitAwaitingAck("chat", Map.of("text", "stored"));
    assertThat(acked.statusCode()).as(acked.body()).isEqualTo(200);
    List<Message> history = server.room(room).history(10).collectList().block(Timeouts.STEP);
    assertThat(history).hasSize(1);
    assertThat(json(acked.body())).isEqualTo(json("[\"" + history.get(0).id() + "\"]"));
  }

  @Test
  void postWaitsForALateAckOnlyWhenAskedTo() throws Exception {
    SseTestClient client = open();
    HttpResponse<String> notWaited = client.emit("later", 1);
    assertThat(notWaited.statusCode()).isEqualTo(204);
    assertThat(notWaited.body()).isEmpty();
    Event unanswered = later.poll(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(unanswered).isNotNull();
    unanswered.ack("too late");

    CompletableFuture<HttpResponse<String>> waiting = http.sendAsync(
        client.postRequest(SseTestClient.body("later", true, 2)).build(), HttpResponse.BodyHandlers.ofString());
    Event pending = later.poll(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(pending).isNotNull();
    // The handler has returned; the response waits for the ack.
    client.sync();
    assertThat(waiting).isNotDone();
    pending.ack("now", 2);
    HttpResponse<String> acked = waiting.get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(acked.statusCode()).isEqualTo(200);
    assertThat(json(acked.body())).isEqualTo(json("[\"now\",2]"));
    assertThat(client.pending()).isZero();
  }

  @Test
  void eventWithoutAckIs204AndReachesTheRoomButNotTheSender() throws Exception {
    SseTestClient sender = open();
    SseTestClient other = open();
    HttpResponse<String> typing = sender.emit("typing", "alice");
    assertThat(typing.statusCode()).isEqualTo(204);
    assertThat(typing.body()).isEmpty();
    SseEvent seen = other.next("typing");
    assertThat(seen.data()).isEqualTo("\"alice\"");
    assertThat(seen.id()).as("an emit is not stored").isNull();

    // The next thing the sender receives is its question, not its own typing.
    assertThat(sender.emit("ask", "ping?").statusCode()).isEqualTo(204);
    assertThat(sender.next().event()).isEqualTo("question");
  }

  @Test
  void eventNobodyHandlesIs204AndAwaitingAnAckThatNeverComesIs504() throws Exception {
    SseTestClient client = open();
    assertThat(client.emit("unknown-event", 1).statusCode()).isEqualTo(204);
    assertThat(client.emitAwaitingAck("unknown-event", 1).statusCode()).isEqualTo(204);
    HttpResponse<String> timedOut = client.emitAwaitingAck("typing", "never acked");
    assertJsonError(timedOut, 504);
    client.sync();
  }

  @Test
  void serverAckRequestArrivesAsAckIdAndIsAnsweredByPost() throws Exception {
    SseTestClient client = open();
    assertThat(client.emit("ask", "meaning of life?").statusCode()).isEqualTo(204);
    SseEvent question = client.next("question");
    assertThat(question.id()).isNull();
    JsonNode data = json(question.data());
    assertThat(data.path("parley:ackId").isIntegralNumber()).as(question.data()).isTrue();
    assertThat(data.path("parley:args")).isEqualTo(json("[\"meaning of life?\"]"));
    assertThat(data.properties()).hasSize(2);

    HttpResponse<String> answered = client.post("{\"ackId\":" + data.path("parley:ackId").asLong() + ",\"args\":[42,\"exactly\"]}");
    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(204);
    SseEvent answer = client.next("answer");
    assertThat(json(answer.data())).isEqualTo(json("{\"parley:args\":[42,\"exactly\"]}"));
  }

  @Test
  void unknownSessionIs404() throws Exception {
    SseTestClient client = open();
    HttpResponse<String> response = client.send(client.postRequest(SseTestClient.body("echo", false, 1))
        .uri(client.postUri("no-such-session")));
    assertJsonError(response, 404);
    HttpResponse<String> noSid = client.send(client.postRequest(SseTestClient.body("echo", false, 1))
        .uri(SseTestApp.stream(server, room)));
    assertJsonError(noSid, 404);
  }

  @Test
  void wrongOrMissingTokenIs403AndAnotherSessionsTokenToo() throws Exception {
    SseTestClient client = open();
    SseTestClient other = open();
    String body = SseTestClient.body("echo", false, 1);
    assertJsonError(client.send(client.postRequest(body).setHeader("X-Parley-Token", "forged")), 403);
    assertJsonError(client.send(client.postRequest(body).setHeader("X-Parley-Token", other.token())), 403);
    assertJsonError(client.send(client.postRequest(body).setHeader("X-Parley-Token", client.token() + "x")), 403);
    HttpResponse<String> noToken = client.send(HttpRequest.newBuilder(client.postUri(client.sessionId()))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    assertJsonError(noToken, 403);
    // The token also travels as a bearer token.
    HttpResponse<String> bearer = client.send(HttpRequest.newBuilder(client.postUri(client.sessionId()))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + client.token())
        .POST(HttpRequest.BodyPublishers.ofString(body)));
    assertThat(bearer.statusCode()).isEqualTo(200);
    // Nothing reached either stream.
    client.sync();
    other.sync();
    assertThat(client.pending()).isZero();
    assertThat(other.pending()).isZero();
  }

  @Test
  void bodyOverMaxPostBodyIs413WithOrWithoutContentLength() throws Exception {
    SseTestClient client = open();
    String big = SseTestClient.body("echo", false, "x".repeat(MAX_POST_BODY));
    assertJsonError(client.post(big), 413);
    // Chunked: no Content-Length to judge by, so the body itself is counted.
    HttpResponse<String> chunked = client.send(client.postRequest(big).POST(HttpRequest.BodyPublishers
        .ofInputStream(() -> new ByteArrayInputStream(big.getBytes(java.nio.charset.StandardCharsets.UTF_8)))));
    assertJsonError(chunked, 413);
    String justFits = SseTestClient.body("echo", false, "x".repeat(MAX_POST_BODY - 40));
    assertThat(justFits.length()).isLessThanOrEqualTo(MAX_POST_BODY);
    assertThat(client.post(justFits).statusCode()).isEqualTo(200);
  }

  @Test
  void malformedJsonOrWrongShapeIs400() throws Exception {
    SseTestClient client = open();
    assertJsonError(client.post("{\"event\":"), 400);
    assertJsonError(client.post("not json"), 400);
    assertJsonError(client.post("[\"echo\"]"), 400);
    assertJsonError(client.post("{\"event\":\"echo\",\"args\":{}}"), 400);
    assertJsonError(client.post("{\"ackId\":\"one\",\"args\":[]}"), 400);
    assertJsonError(client.post(""), 400);
    client.sync();
  }

  @Test
  void missingOrInvalidEventNameIs400() throws Exception {
    SseTestClient client = open();
    assertJsonError(client.post("{\"args\":[1]}"), 400);
    assertJsonError(client.post("{\"event\":\"\",\"args\":[1]}"), 400);
    assertJsonError(client.post("{\"event\":7,\"args\":[1]}"), 400);
    assertJsonError(client.post("{\"event\":\"a\\nb\",\"args\":[1]}"), 400);
    assertJsonError(client.post("{\"event\":\"connect\",\"args\":[1]}"), 400);
    assertJsonError(client.post("{\"event\":\"" + "e".repeat(200) + "\",\"args\":[1]}"), 400);
    client.sync();
    assertThat(client.pending()).isZero();
  }

  @Test
  void contentTypeOtherThanJsonIs415() throws Exception {
    SseTestClient client = open();
    String body = SseTestClient.body("echo", false, 1);
    assertJsonError(client.send(client.postRequest(body).setHeader("Content-Type", "text/plain")), 415);
    assertJsonError(client.send(client.postRequest(body).setHeader("Content-Type", "application/x-www-form-urlencoded")), 415);
    // A media type that only starts like JSON is not JSON.
    for (String type : List.of("application/jsonx", "application/json-patch+json", "application/jsonp; charset=utf-8",
        "application/json5", "text/json", "application/x-json")) {
      HttpResponse<String> response = client.send(client.postRequest(body).setHeader("Content-Type", type));
      assertJsonError(response, 415);
      assertThat(response.body()).as(type).isEqualTo("{\"error\":\"the body must be application/json\"}");
    }
    // JSON in any case, with or without parameters.
    for (String type : List.of("application/json; charset=utf-8", "APPLICATION/JSON", "Application/Json;charset=UTF-8",
        "application/json ; charset=utf-8", "application/json;")) {
      assertThat(client.send(client.postRequest(body).setHeader("Content-Type", type)).statusCode()).as(type)
          .isEqualTo(200);
    }
    assertThat(client.pending()).isZero();
  }

  @Test
  void otherMethodsAre405WithAllow() throws Exception {
    SseTestClient client = open();
    for (String method : List.of("PUT", "DELETE", "PATCH")) {
      HttpResponse<String> response = client.send(client.postRequest("{}")
          .method(method, HttpRequest.BodyPublishers.ofString(SseTestClient.body("echo", false, 1))));
      assertJsonError(response, 405);
      assertThat(response.headers().firstValue("Allow")).hasValueSatisfying(allow ->
          assertThat(allow.replace(" ", "").split(",")).contains("GET", "POST"));
    }
    client.sync();
  }

  @Test
  void streamWithoutAcceptEventStreamIs406() throws Exception {
    int before = transport.openStreams();
    for (String accept : new String[] {null, "application/json", "text/html"}) {
      HttpRequest.Builder request = HttpRequest.newBuilder(SseTestApp.stream(server, room)).GET();
      if (accept != null) {
        request.header("Accept", accept);
      }
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertJsonError(response, 406);
    }
    assertThat(transport.openStreams()).isEqualTo(before);
  }

  @Test
  void rejectedHandshakeIs401WithTheMiddlewaresMessageAndData() throws Exception {
    int before = transport.openStreams();
    int channels = server.namespace().channels().size();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(SseTestApp.stream(server, room, "token=bad"))
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
    assertJsonError(response, 401);
    assertThat(json(response.body())).isEqualTo(json("{\"error\":\"not authorized\",\"data\":{\"status\":401}}"));
    assertThat(response.headers().firstValue("Content-Type").orElse("")).doesNotContain("event-stream");
    await().atMost(SseTestClient.TIMEOUT).until(() -> transport.openStreams() == before);
    assertThat(server.namespace().channels()).hasSize(channels);
  }

  @Test
  void unknownNamespaceIs404() throws Exception {
    int before = transport.openStreams();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(SseTestApp.stream(server, room, "ns=/nowhere"))
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
    assertJsonError(response, 404);
    assertThat(json(response.body()).path("error").asString()).isEqualTo("Invalid namespace");
    await().atMost(SseTestClient.TIMEOUT).until(() -> transport.openStreams() == before);
  }

  @Test
  void ackForAnIdNeverIssuedIs400AndTheStreamStays() throws Exception {
    SseTestClient forger = open();
    SseTestClient bystander = open();
    HttpResponse<String> forged = forger.post("{\"ackId\":12345,\"args\":[]}");
    assertJsonError(forged, 400);
    assertThat(forged.body()).isEqualTo("{\"error\":\"unknown ack id\"}");
    assertJsonError(forger.post("{\"ackId\":-1,\"args\":[]}"), 400);
    // An ack id that was issued is answered as before.
    assertThat(forger.emit("ask", "q").statusCode()).isEqualTo(204);
    long ackId = json(forger.next("question").data()).path("parley:ackId").asLong();
    assertThat(forger.post("{\"ackId\":" + ackId + ",\"args\":[1]}").statusCode()).isEqualTo(204);
    assertThat(forger.next("answer").data()).isEqualTo("1");

    // Both streams are still served, the forger's included.
    forger.sync();
    bystander.sync();
    server.to(room).emit("still", "here");
    assertThat(forger.next("still").data()).isEqualTo("\"here\"");
    assertThat(bystander.next("still").data()).isEqualTo("\"here\"");
    assertThat(forger.ended()).isNotDone();
  }

  @Test
  void postAfterTheStreamClosedIs404() throws Exception {
    SseTestClient client = open();
    client.close();
    await().atMost(SseTestClient.TIMEOUT).until(() -> {
      server.to(room).emit("poke");
      return client.emit("echo", 1).statusCode() == 404;
    });
    assertJsonError(client.emit("echo", 1), 404);
  }
}
