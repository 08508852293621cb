package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.Message;
import dev.parley.error.ConnectionRejectedException;
import dev.parley.protocol.DisconnectReason;
import dev.parley.testsupport.SseParser.SseEvent;
import dev.parley.testsupport.Timeouts;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The bytes of a stream, exactly as the Javadoc of {@link SseTransport} and the WHATWG format say. */
class SseWireFormatTest {
  private static final String TOKEN = "[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]+";
  private static final String ID = "[A-Za-z0-9_-]{20}";

  private final HttpClient http = SseTestClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private ChatServer start(SseTransportConfig config) {
    ChatServer server = SseTestApp.start(config);
    toClose.add(server);
    return server;
  }

  private SseTestClient open(ChatServer server, String room) throws Exception {
    SseTestClient client = SseTestClient.open(http, SseTestApp.stream(server, room));
    toClose.add(client);
    return client;
  }

  @Test
  void streamIsRetryThenSessionThenHistoryThenLiveEventsByteForByte() throws Exception {
    // A long heartbeat, so no ping interleaves with the bytes compared.
    ChatServer server = start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build());
    Message one = server.room("wire").post("chat", Map.of("text", "one")).block(Timeouts.STEP);
    Message two = server.room("wire").post("chat", Map.of("text", "two")).block(Timeouts.STEP);

    SseTestClient client = open(server, "wire");
    client.next("chat");
    client.next("chat");
    client.sync();
    Message three = server.room("wire").post("chat", Map.of("text", "drei \u2713 \uD83D\uDE00")).block(Timeouts.STEP);
    client.next("chat");
    server.to("wire").emit("pair", "a", 2);
    client.next("pair");

    String expected = Pattern.quote("retry: 2000\n\nevent: parley:session\ndata: ")
        + "\\{\"sid\":\"" + ID + "\",\"session\":\"" + ID + "\",\"token\":\"" + TOKEN + "\"\\}"
        + Pattern.quote("\n\n"
            + "id: " + one.id() + "\nevent: chat\ndata: {\"text\":\"one\"}\n\n"
            + "id: " + two.id() + "\nevent: chat\ndata: {\"text\":\"two\"}\n\n"
            + "id: " + three.id() + "\nevent: chat\ndata: {\"text\":\"drei \u2713 \uD83D\uDE00\"}\n\n"
            + "event: pair\ndata: {\"parley:args\":[\"a\",2]}\n\n");
    byte[] raw = client.raw();
    assertThat(new String(raw, StandardCharsets.UTF_8)).matches(Pattern.compile(expected, Pattern.DOTALL));
    // The non-ASCII text travels as UTF-8, not as JSON escapes or another charset.
    assertThat(indexOf(raw, "drei \u2713 \uD83D\uDE00".getBytes(StandardCharsets.UTF_8))).isPositive();
    assertThat(client.sessionId()).isNotEqualTo(client.channelId());
    assertThat(client.retry()).isEqualTo(2000);
    assertThat(client.pending()).isZero();
  }

  @Test
  void responseHeadersMarkAnUncachedUnbufferedUtf8EventStream() throws Exception {
    ChatServer server = start(SseTransportConfig.defaults());
    SseTestClient client = open(server, "headers");
    var headers = client.response().headers();
    assertThat(headers.firstValue("Content-Type")).hasValueSatisfying(type ->
        assertThat(type.toLowerCase(java.util.Locale.ROOT).replace(" ", ""))
            .isEqualTo("text/event-stream;charset=utf-8"));
    assertThat(headers.allValues("Cache-Control")).containsExactly("no-cache");
    assertThat(headers.allValues("X-Accel-Buffering")).containsExactly("no");
    assertThat(headers.firstValue("Content-Length")).isEmpty();
  }

  @Test
  void idleStreamGetsPingCommentsAndTheConfiguredRetry() throws Exception {
    ChatServer server = start(SseTransportConfig.builder()
        .heartbeatInterval(Duration.ofMillis(100)).retry(Duration.ofMillis(750)).build());
    SseTestClient client = open(server, "pings");
    assertThat(client.nextComment()).isEqualTo(" ping");
    assertThat(client.nextComment()).isEqualTo(" ping");
    assertThat(client.rawText()).startsWith("retry: 750\n\n").contains("\n\n: ping\n\n");
    assertThat(client.retry()).isEqualTo(750);
    assertThat(client.pending()).as("comments are not events").isZero();
  }

  @Test
  void heartbeatsDoNotOvertakeASlowHandshake() throws Exception {
    // Virtual time: the heartbeats of a stream whose handshake is still in (blocking) middleware fire on
    // the test's command, so the ordering is forced rather than hoped for.
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    CountDownLatch inMiddleware = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    ChatServer server = SseTestApp.start(SseTransportConfig.builder().heartbeatInterval(Duration.ofMillis(100)).build(),
        b -> b.scheduler(time).use(handshake -> {
          inMiddleware.countDown();
          if (!release.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not released");
          }
          if (handshake.query("reject").isPresent()) {
            throw new ConnectionRejectedException("too slow");
          }
          return handshake;
        }));
    toClose.add(server);
    CompletableFuture<SseTestClient> accepted = SseTestClient.connect(http, SseTestApp.stream(server, "slow"), true);
    CompletableFuture<HttpResponse<String>> rejected = http.sendAsync(HttpRequest.newBuilder(
        SseTestApp.stream(server, "slow", "reject=1")).header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(inMiddleware.await(10, TimeUnit.SECONDS)).isTrue();
    time.advanceTimeBy(Duration.ofMillis(550));
    release.countDown();

    SseTestClient client = accepted.get(10, TimeUnit.SECONDS);
    toClose.add(client);
    assertThat(client.statusCode()).isEqualTo(200);
    assertThat(client.response().headers().firstValue("Content-Type")).hasValueSatisfying(type ->
        assertThat(type).startsWith("text/event-stream"));
    client.awaitSession();
    assertThat(client.rawText()).startsWith("retry: 2000\n\nevent: parley:session\n");
    client.sync();
    time.advanceTimeBy(Duration.ofMillis(100));
    assertThat(client.nextComment()).isEqualTo(" ping");

    HttpResponse<String> refused = rejected.get(10, TimeUnit.SECONDS);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(SseTestClient.MAPPER.readTree(refused.body()))
        .isEqualTo(SseTestClient.MAPPER.readTree("{\"error\":\"too slow\"}"));
  }

  @Test
  void lineBreaksInsideAStringCannotForgeAnEventOrAField() throws Exception {
    ChatServer server = start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build());
    SseTestClient sender = open(server, "inject");
    SseTestClient reader = open(server, "inject");
    sender.sync();
    reader.sync();
    String evil = "x\n\nevent: evil\ndata: x\r\nid: 999\rretry: 1\n";

    assertThat(sender.emitAwaitingAck("chat", Map.of("text", evil)).statusCode()).isEqualTo(200);
    SseEvent chat = reader.next("chat");
    assertThat(SseTestClient.MAPPER.readTree(chat.data()).path("text").asString()).isEqualTo(evil);
    assertThat(chat.data()).doesNotContain("\n", "\r");
    assertThat(chat.id()).isNotEqualTo("999");

    assertThat(sender.emit("typing", evil, "second").statusCode()).isEqualTo(204);
    SseEvent typing = reader.next("typing");
    assertThat(SseTestClient.MAPPER.readTree(typing.data()))
        .isEqualTo(SseTestClient.MAPPER.readTree(SseTestClient.MAPPER.writeValueAsString(
            Map.of("parley:args", List.of(evil, "second")))));
    assertThat(typing.id()).isNull();

    server.to("inject").emit("marker");
    assertThat(reader.next().event()).as("no forged event before the marker").isEqualTo("marker");
    assertThat(reader.retry()).isEqualTo(2000);
    assertThat(reader.lastEventId()).isEqualTo(chat.id());
  }

  @Test
  void prettyPrintedJsonIsSplitIntoDataLinesThatJoinBackToTheSameValue() throws Exception {
    JsonMapper pretty = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    ChatServer server = SseTestApp.start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build(),
        b -> b.jsonMapper(pretty));
    toClose.add(server);
    SseTestClient client = open(server, "pretty");
    client.sync();
    Map<String, Object> payload = Map.of("text", "pretty", "n", List.of(1, 2), "nested", Map.of("a", true));

    Message posted = server.room("pretty").post("chat", payload).block(Timeouts.STEP);
    SseEvent chat = client.next("chat");
    assertThat(chat.id()).isEqualTo(posted.id());
    assertThat(chat.data()).contains("\n");
    assertThat(SseTestClient.MAPPER.readTree(chat.data())).isEqualTo(SseTestClient.MAPPER.valueToTree(payload));

    server.to("pretty").emit("pair", Map.of("k", "v"), List.of(3));
    SseEvent pair = client.next("pair");
    assertThat(SseTestClient.MAPPER.readTree(pair.data()))
        .isEqualTo(SseTestClient.MAPPER.valueToTree(Map.of("parley:args", List.of(Map.of("k", "v"), List.of(3)))));

    String raw = client.rawText();
    String block = raw.substring(raw.indexOf("id: " + posted.id()), raw.indexOf("event: pair"));
    List<String> lines = block.lines().toList();
    assertThat(lines.get(0)).isEqualTo("id: " + posted.id());
    assertThat(lines.get(1)).isEqualTo("event: chat");
    assertThat(lines.subList(2, lines.size() - 1)).hasSizeGreaterThan(3).allSatisfy(line ->
        assertThat(line).startsWith("data: "));
    assertThat(lines.get(lines.size() - 1)).isEmpty();
    JsonNode hello = SseTestClient.MAPPER.readTree(raw.substring(raw.indexOf("data: {\"sid\"") + 6,
        raw.indexOf('\n', raw.indexOf("data: {\"sid\""))));
    assertThat(hello.path("session").asString()).isEqualTo(client.sessionId());
  }

  @Test
  void serverDisconnectSendsParleyDisconnectThenEndsTheStream() throws Exception {
    ChatServer server = start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build());
    SseTestClient client = open(server, "bye");
    client.sync();
    server.namespace().channel(client.channelId()).orElseThrow().disconnect();
    SseEvent bye = client.next("parley:disconnect");
    assertThat(bye.data()).isEqualTo("{}");
    client.ended().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(client.rawText()).endsWith("event: parley:disconnect\ndata: {}\n\n");
    assertThat(client.emit("echo", 1).statusCode()).as("the session is gone").isEqualTo(404);
  }

  @Test
  void serverCloseSendsParleyDisconnectAndTellsTheChannelItIsShuttingDown() throws Exception {
    Map<String, DisconnectReason> reasons = new ConcurrentHashMap<>();
    ChatServer server = SseTestApp.start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build(),
        b -> b.onConnection(ch -> ch.onDisconnect().subscribe(reason -> reasons.put(ch.id(), reason))));
    toClose.add(server);
    SseTestClient client = open(server, "shutdown");
    client.sync();
    server.close();
    assertThat(client.next("parley:disconnect").data()).isEqualTo("{}");
    client.ended().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    await().atMost(SseTestClient.TIMEOUT).until(() -> reasons.containsKey(client.channelId()));
    assertThat(reasons).containsEntry(client.channelId(), DisconnectReason.SERVER_SHUTTING_DOWN);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
