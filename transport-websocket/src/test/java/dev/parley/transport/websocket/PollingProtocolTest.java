package dev.parley.transport.websocket;

import static dev.parley.transport.websocket.PollingClient.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.host.jetty.JettyHost;
import dev.parley.host.jetty.JettyHostConfig;
import dev.parley.protocol.DisconnectReason;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Engine.IO v4 HTTP long-polling with raw HTTP requests against the embedded host: every answer it gives. */
class PollingProtocolTest {
  private static final String RS = PollingClient.RS;
  private static final Duration WAIT = PollingClient.WAIT;

  private final Map<String, DisconnectReason> reasons = new ConcurrentHashMap<>();
  private ChatServer server;
  private String base;
  private PollingClient client;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(WebSocketTransportConfig transport, Consumer<ChatServerConfig.Builder> config) {
    server = SocketIoTestApp.start(transport, b -> b.config(config).onConnection(channel -> {
      channel.onDisconnect().subscribe(reason -> reasons.put(channel.id(), reason));
      channel.on("flood", (ch, event) -> {
        for (int i = 0; i < event.arg(0, Integer.class); i++) {
          ch.emit("flood", "x".repeat(1024));
        }
      });
    }));
    client = new PollingClient(SocketIoTestApp.url(server));
    base = client.base();
  }

  private void start() {
    start(WebSocketTransportConfig.defaults(), c -> { });
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request);
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String sid) {
    return client.getAsync(sid);
  }

  private HttpResponse<String> get(String sid) throws Exception {
    return client.get(sid);
  }

  private HttpResponse<String> post(String sid, String body) throws Exception {
    return client.post(sid, body);
  }

  private String handshake() throws Exception {
    return client.handshake();
  }

  private String connected() throws Exception {
    return client.connected();
  }

  private List<String> receive(String sid, int count) throws Exception {
    return client.receive(sid, count);
  }

  private int pollingSessions() {
    return server.stats().transports().get("websocket.polling");
  }

  @Test
  void handshakeAnswersTheOpenPacketAndCountsTheSession() throws Exception {
    start(WebSocketTransportConfig.builder().pingInterval(Duration.ofSeconds(7)).pingTimeout(Duration.ofSeconds(3))
        .maxPayload(4096).build(), c -> { });
    HttpResponse<String> open = send(HttpRequest.newBuilder(URI.create(base)));
    assertThat(open.statusCode()).isEqualTo(200);
    assertThat(open.headers().firstValue("content-type")).hasValue("text/plain;charset=utf-8");
    assertThat(open.body()).matches("0\\{\"sid\":\"[A-Za-z0-9_-]{20}\",\"upgrades\":\\[\"websocket\"\\],\"pingInterval\":7000,"
        + "\"pingTimeout\":3000,\"maxPayload\":4096}");
    assertThat(pollingSessions()).isEqualTo(1);
    assertThat(server.stats().transports()).containsEntry("websocket.sockets", 0);
  }

  @Test
  void withPollingTurnedOffAPollingRequestIsAnUnknownTransport() throws Exception {
    start(WebSocketTransportConfig.builder().polling(false).build(), c -> { });
    assertError(send(HttpRequest.newBuilder(URI.create(base))), 400, 0, "Transport unknown");
    assertError(get("any"), 400, 0, "Transport unknown");
    assertError(post("any", "40"), 400, 0, "Transport unknown");
    assertThat(pollingSessions()).isZero();
    assertThat(server.stats().sessions()).isZero();
  }

  @Test
  void postsAreAnsweredOkAndPacketsComeBackJoinedByTheRecordSeparator() throws Exception {
    start();
    String sid = connected();
    HttpResponse<String> posted = post(sid, "421[\"echo\",\"one\"]" + RS + "422[\"echo\",\"two\"]");
    assertThat(posted.statusCode()).isEqualTo(200);
    assertThat(posted.headers().firstValue("content-type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/html"));
    assertThat(posted.body()).isEqualTo("ok");
    assertThat(receive(sid, 2)).containsExactly("431[\"one\"]", "432[\"two\"]");
  }

  @Test
  void aHeldGetIsAnsweredWhenTheServerSendsSomething() throws Exception {
    start();
    String sid = connected();
    CompletableFuture<HttpResponse<String>> held = getAsync(sid);
    await().atMost(WAIT).until(() -> server.stats().transports().get("websocket.heldPolls") == 1);
    assertThat(post(sid, "423[\"echo\",\"later\"]").body()).isEqualTo("ok");
    assertThat(held.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).body()).isEqualTo("433[\"later\"]");
  }

  @Test
  void aBurstOfSmallEventsComesInFewLongPolls() throws Exception {
    start();
    String sid = connected();
    assertThat(post(sid, "42[\"burst\",1000]").body()).isEqualTo("ok");
    // All queued before the first poll, so that the count measures what one response carries, not how fast the
    // handler emits: the first event waits alone in the batch made before the rest came.
    await().atMost(WAIT).until(() -> server.stats().queuedPackets() == 1000);
    List<String> got = new ArrayList<>();
    int polls = 0;
    while (got.size() < 1000) {
      HttpResponse<String> response = get(sid);
      polls++;
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      for (String packet : response.body().split(RS)) {
        if (packet.startsWith("42")) {
          got.add(packet);
        }
      }
    }
    assertThat(got.get(999)).isEqualTo("42[\"n\",999]");
    // A response carries up to a quarter of the outbound buffer (1,024 packets by default), not the 64 packets of
    // a WebSocket write: 4 long-polls, or 1 + 4 when the first event went alone into a batch before the rest
    // came (the handler races the engine's drain), where 1 + 16 were needed before.
    assertThat(polls).isBetween(1000 / 256 + 1, 1 + (999 + 255) / 256);
  }

  @Test
  void binaryGoesAsBase64BothWays() throws Exception {
    start();
    String sid = connected();
    post(sid, "451-4[\"binary\",{\"_placeholder\":true,\"num\":0}]" + RS + "bAQID");
    List<String> packets = receive(sid, 2);
    assertThat(packets.get(0)).isEqualTo("461-4[{\"_placeholder\":true,\"num\":0}]");
    assertThat(packets.get(1)).isEqualTo("bAwIB");
  }

  @Test
  void textBeyondAsciiAndAttachmentsComeBackByteExact() throws Exception {
    start();
    String sid = connected();
    String text = "\"h\u00e9llo \u2713 \ud83d\ude00\"";
    post(sid, "420[\"echo\"," + text + "]" + RS + "451-4[\"binary\",{\"_placeholder\":true,\"num\":0}]" + RS
        + "bAQID" + RS + "421[\"echo\"," + text + "]");

    // Whether they come in one response or several, the body's length and bytes must match what it carries.
    assertThat(receive(sid, 4)).containsExactly("430[" + text + "]", "461-4[{\"_placeholder\":true,\"num\":0}]",
        "bAwIB", "431[" + text + "]");
  }

  @Test
  void aSecondConcurrentGetEndsTheSession() throws Exception {
    start();
    String sid = connected();
    CompletableFuture<HttpResponse<String>> first = getAsync(sid);
    CompletableFuture<HttpResponse<String>> second = getAsync(sid);
    List<HttpResponse<String>> answers = List.of(first.get(WAIT.toMillis(), TimeUnit.MILLISECONDS),
        second.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    // Whichever came second is refused; the one held gets the close packet.
    assertThat(answers).anySatisfy(response -> assertError(response, 400, 3, "Bad request"));
    assertThat(answers).anySatisfy(response -> assertThat(response.body()).isEqualTo("1"));
    assertError(get(sid), 400, 1, "Session ID unknown");
    assertThat(reasons.values()).containsExactly(DisconnectReason.TRANSPORT_ERROR);
  }

  @Test
  void theClientsClosePacketEndsTheSessionAndAnswersTheHeldGet() throws Exception {
    start();
    String sid = connected();
    CompletableFuture<HttpResponse<String>> held = getAsync(sid);
    await().atMost(WAIT).until(() -> server.stats().transports().get("websocket.heldPolls") == 1);
    assertThat(post(sid, "1").body()).isEqualTo("ok");
    assertThat(held.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).body()).isEqualTo("1");
    assertError(get(sid), 400, 1, "Session ID unknown");
    assertError(post(sid, "40"), 400, 1, "Session ID unknown");
    await().atMost(WAIT).until(() -> reasons.containsValue(DisconnectReason.TRANSPORT_CLOSE));
    assertThat(pollingSessions()).isZero();
  }

  @Test
  void aServerShuttingDownAnswersTheHeldGetWithTheClosePacket() throws Exception {
    start();
    String sid = connected();
    CompletableFuture<HttpResponse<String>> held = getAsync(sid);
    await().atMost(WAIT).until(() -> server.stats().transports().get("websocket.heldPolls") == 1);
    server.close();
    assertThat(held.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).body()).isEqualTo("1");
    assertThat(reasons.values()).containsExactly(DisconnectReason.SERVER_SHUTTING_DOWN);
  }

  @Test
  void badRequestsGetEngineIoErrors() throws Exception {
    start();
    String url = SocketIoTestApp.url(server) + "/socket.io/";
    assertError(send(HttpRequest.newBuilder(URI.create(url + "?EIO=4&transport=flashsocket"))), 400, 0,
        "Transport unknown");
    assertError(send(HttpRequest.newBuilder(URI.create(url + "?EIO=4"))), 400, 0, "Transport unknown");
    assertError(send(HttpRequest.newBuilder(URI.create(url + "?EIO=3&transport=polling"))), 400, 5,
        "Unsupported protocol version");
    assertError(send(HttpRequest.newBuilder(URI.create(url + "?transport=polling"))), 400, 5,
        "Unsupported protocol version");
    assertError(send(HttpRequest.newBuilder(URI.create(base)).POST(HttpRequest.BodyPublishers.ofString("40"))),
        400, 2, "Bad handshake method");
    assertError(get("no-such-session"), 400, 1, "Session ID unknown");
    String sid = handshake();
    assertError(send(HttpRequest.newBuilder(URI.create(base + "&sid=" + sid))
        .PUT(HttpRequest.BodyPublishers.ofString("40"))), 400, 3, "Bad request");
  }

  @Test
  void heartbeatPingsInTheLongPollAndAMissingPongEndsTheSession() throws Exception {
    start(WebSocketTransportConfig.builder().pingInterval(Duration.ofMillis(200)).pingTimeout(Duration.ofMillis(300))
        .build(), c -> { });
    // No namespace joined yet: nothing but a ping comes, however slow the machine.
    String sid = handshake();
    assertThat(get(sid).body()).isEqualTo("2");
    assertThat(post(sid, "3" + RS + "40").body()).isEqualTo("ok");
    assertThat(get(sid).body()).as("the session lives on and joins").startsWith("40{\"sid\":");
    // No pong from now on: within pingTimeout of the next ping the session ends.
    await().atMost(WAIT).until(() -> reasons.containsValue(DisconnectReason.PING_TIMEOUT));
    assertThat(pollingSessions()).isZero();
    assertError(get(sid), 400, 1, "Session ID unknown");
  }

  @Test
  void aSessionNeitherPolledNorUpgradedEndsByTheHeartbeat() throws Exception {
    start(WebSocketTransportConfig.builder().pingInterval(Duration.ofMillis(200)).pingTimeout(Duration.ofMillis(300))
        .build(), c -> { });
    client.handshake();
    String joined = client.connected();
    assertThat(pollingSessions()).isEqualTo(2);
    // Nobody polls from now on: each ping waits for a GET that never comes, and so no pong comes either.
    await().atMost(WAIT).until(() -> pollingSessions() == 0 && server.stats().sessions() == 0);
    assertThat(reasons.values()).containsExactly(DisconnectReason.PING_TIMEOUT);
    assertError(get(joined), 400, 1, "Session ID unknown");
    await().atMost(WAIT).until(() -> server.stats().isIdle());
  }

  @Test
  void aRequestReachingANodeThatDidNotMakeTheSessionIsAnsweredAtOnce() throws Exception {
    start();
    String sid = connected();
    try (ChatServer other = SocketIoTestApp.start(WebSocketTransportConfig.defaults(), b -> { })) {
      PollingClient elsewhere = new PollingClient(SocketIoTestApp.url(other));
      // A hang would run into the request's own short deadline instead (HttpTimeoutException).
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(elsewhere.base() + "&sid=" + sid))
          .timeout(Duration.ofSeconds(2));
      assertError(elsewhere.http().send(request.build(), HttpResponse.BodyHandlers.ofString()), 400, 1,
          "Session ID unknown");
      assertError(elsewhere.http().send(request.POST(HttpRequest.BodyPublishers.ofString("42[\"echo\",1]"))
          .header("Content-Type", "text/plain;charset=UTF-8").build(), HttpResponse.BodyHandlers.ofString()), 400, 1,
          "Session ID unknown");
      assertThat(elsewhere.upgrade(sid)).endsWith("\n{\"code\":1,\"message\":\"Session ID unknown\"}");
    }
    assertThat(post(sid, "421[\"echo\",2]").body()).as("the session lives on at its own node").isEqualTo("ok");
    assertThat(receive(sid, 1)).containsExactly("431[2]");
  }

  @Test
  void aPostOverMaxPayloadGets413AndEndsTheSession() throws Exception {
    start(WebSocketTransportConfig.builder().maxPayload(2048).build(), c -> { });
    String sid = connected();
    assertThat(post(sid, "42[\"echo\",\"" + "y".repeat(1900) + "\"]").body()).isEqualTo("ok");
    assertError(post(sid, "42[\"echo\",\"" + "z".repeat(4000) + "\"]"), 413, 3, "Payload too large");
    await().atMost(WAIT).until(() -> reasons.containsValue(DisconnectReason.MESSAGE_TOO_LARGE));
    assertError(get(sid), 400, 1, "Session ID unknown");
  }

  @Test
  void aPacketBeyondTheInboundBudgetIsRefusedBeforeItIsParsed() throws Exception {
    start(WebSocketTransportConfig.defaults(), c -> c.maxInboundBytes(4096));
    String sid = connected();
    assertError(post(sid, "42[\"echo\",\"" + "z".repeat(20_000) + "\"]"), 400, 3, "Bad request");
    await().atMost(WAIT).until(() -> reasons.containsValue(DisconnectReason.MESSAGE_TOO_LARGE));
    assertThat(server.stats().inboundBytes()).isZero();
  }

  @Test
  void aMalformedPacketOrBinaryThatIsNotBase64EndsTheSession() throws Exception {
    start();
    String malformed = connected();
    assertError(post(malformed, "42[\"echo\""), 400, 3, "Bad request");
    String notBase64 = connected();
    assertError(post(notBase64, "451-[\"binary\",{\"_placeholder\":true,\"num\":0}]" + RS + "b*not*base64*"), 400, 3,
        "Bad request");
    await().atMost(WAIT).until(() -> reasons.size() == 2);
    assertThat(reasons.values()).containsOnly(DisconnectReason.PARSE_ERROR);
    assertError(get(malformed), 400, 1, "Session ID unknown");
    assertThat(pollingSessions()).isZero();
  }

  // Sends a POST's headers and only part of its body; the caller closes the socket.
  private Socket partialPost(String sid, int length, String part) throws Exception {
    return partialPost(sid, "text/plain;charset=UTF-8", length, part);
  }

  private Socket partialPost(String sid, String contentType, int length, String part) throws Exception {
    URI uri = URI.create(base + "&sid=" + sid);
    Socket socket = new Socket(uri.getHost(), uri.getPort());
    socket.setSoTimeout((int) WAIT.toMillis());
    OutputStream out = socket.getOutputStream();
    out.write(("POST " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
        + "Content-Type: " + contentType + "\r\nContent-Length: " + length + "\r\n\r\n" + part)
        .getBytes(StandardCharsets.UTF_8));
    out.flush();
    return socket;
  }

  private static String statusLine(Socket socket) throws Exception {
    return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
  }

  @Test
  void aPostBodyThatDoesNotComeInTimeEndsTheSession() throws Exception {
    // No ping within the test: the POST's own deadline (pingTimeout) ends the session.
    start(WebSocketTransportConfig.builder().pingInterval(Duration.ofSeconds(30)).pingTimeout(Duration.ofMillis(300))
        .build(), c -> { });
    String sid = connected();
    try (Socket slow = partialPost(sid, 100, "42[\"ec")) {
      assertThat(statusLine(slow)).startsWith("HTTP/1.1 400");
    }
    await().atMost(WAIT).until(() -> reasons.containsValue(DisconnectReason.TRANSPORT_ERROR));
    assertThat(pollingSessions()).isZero();
  }

  // A POST body of `length` bytes that the session only looks at once read: one pong with a long payload.
  private static String pongOf(int length) {
    return "3" + "p".repeat(length - 1);
  }

  @Test
  void aPostBodyCountsAgainstTheInboundBudgetWhileItIsRead() throws Exception {
    start(WebSocketTransportConfig.defaults(), c -> c.maxInboundBytes(4096));
    String sid = connected();
    try (Socket slow = partialPost(sid, 4000, pongOf(4000).substring(0, 3000))) {
      await().atMost(WAIT).until(() -> server.stats().inboundBytes() == 3000);
      slow.getOutputStream().write(pongOf(4000).substring(3000).getBytes(StandardCharsets.UTF_8));
      assertThat(statusLine(slow)).startsWith("HTTP/1.1 200");
    }
    await().atMost(WAIT).until(() -> server.stats().inboundBytes() == 0);
    assertThat(post(sid, pongOf(4096)).body()).as("a body of exactly maxInboundBytes").isEqualTo("ok");
    assertThat(server.stats().inboundBytes()).isZero();
    assertError(post(sid, pongOf(4097)), 400, 3, "Bad request");
    await().atMost(WAIT).until(() -> reasons.containsValue(DisconnectReason.MESSAGE_TOO_LARGE));
    assertThat(server.stats().inboundBytes()).isZero();
    assertError(get(sid), 400, 1, "Session ID unknown");
  }

  @Test
  void aPostBodyTheNodesInboundBudgetCannotHoldEndsItsSession() throws Exception {
    start(WebSocketTransportConfig.defaults(), c -> c.maxInboundBytes(4096).nodeInboundBytes(4096));
    String reading = connected();
    String refused = connected();
    try (Socket slow = partialPost(reading, 4000, pongOf(4000).substring(0, 3000))) {
      await().atMost(WAIT).until(() -> server.stats().inboundBytes() == 3000);
      // 3,000 + 1,096 bytes fit the node; one more does not.
      assertThat(post(refused, pongOf(1096)).body()).isEqualTo("ok");
      assertError(post(refused, pongOf(1097)), 503, 3, "Server busy");
      await().atMost(WAIT).until(() -> reasons.containsValue(DisconnectReason.TRANSPORT_ERROR));
      assertError(get(refused), 400, 1, "Session ID unknown");
      assertThat(server.stats().inboundBytes()).isEqualTo(3000);
      slow.getOutputStream().write(pongOf(4000).substring(3000).getBytes(StandardCharsets.UTF_8));
      assertThat(statusLine(slow)).as("the body being read is not disturbed").startsWith("HTTP/1.1 200");
    }
    await().atMost(WAIT).until(() -> server.stats().inboundBytes() == 0);
    assertThat(reasons).hasSize(1);
  }

  @Test
  void aFormPostIsRefusedBeforeItsBodyIsRead() throws Exception {
    start();
    String sid = connected();
    // Most of the body never comes: had the servlet read it as a form, no answer would come before the
    // connection's idle timeout, well after this socket's read deadline.
    try (Socket form = partialPost(sid, "application/x-www-form-urlencoded", 100, "transport=web")) {
      String status = statusLine(form);
      assertThat(status).startsWith("HTTP/1.1 400");
    }
    assertThat(server.stats().transports()).containsEntry("websocket.bodies", 0);
  }

  @Test
  void aSecondConcurrentPostEndsTheSession() throws Exception {
    start();
    String sid = connected();
    try (Socket first = partialPost(sid, 100, "42[\"ec")) {
      await().atMost(WAIT).until(() -> server.stats().transports().get("websocket.bodies") == 1);
      assertError(post(sid, "421[\"echo\",2]"), 400, 3, "Bad request");
      await().atMost(WAIT).until(() -> reasons.containsValue(DisconnectReason.TRANSPORT_ERROR));
      assertThat(statusLine(first)).as("the body still being read is dropped too").startsWith("HTTP/1.1 400");
    }
    assertThat(server.stats().transports()).containsEntry("websocket.bodies", 0);
    assertError(get(sid), 400, 1, "Session ID unknown");
    // Nothing of the dropped body waits for its deadline (pingTimeout, 20 s): no timer is left.
    await().atMost(WAIT).until(() -> server.stats().timers() == 0);
  }

  @Test
  void aClientThatStopsPollingIsCutOffAsASlowConsumer() throws Exception {
    start(WebSocketTransportConfig.defaults(), c -> c.outboundBufferSize(64));
    String sid = connected();
    // Nobody polls: the first batch waits for a GET, and everything after it for that batch's write.
    post(sid, "42[\"flood\",200]");
    await().atMost(WAIT).until(() -> reasons.containsValue(DisconnectReason.SLOW_CONSUMER));
    assertThat(pollingSessions()).isZero();
    assertThat(get(sid).statusCode()).isEqualTo(400);
    await().atMost(WAIT).until(() -> server.stats().queuedPackets() == 0);
  }

  @Test
  void aHeldGetOutlivesTheHostsIdleTimeoutUntilThePing() throws Exception {
    // Jetty's idle timeout does not cut a request the servlet holds asynchronously (its own timeout is off): the
    // GET waits for the ping, two and a half times the host's idle timeout. Were it cut, the client would read an
    // empty 200 or a reset as the end of its transport. (Not a whole multiple: a ping answered at the very moment
    // Jetty's idle check fires again can see its write failed by that check, which is not what this tests.)
    Duration idleTimeout = Duration.ofMillis(500);
    server = SocketIoTestApp.start(WebSocketTransportConfig.builder().pingInterval(Duration.ofMillis(1250)).build(),
        b -> b.host(new JettyHost(JettyHostConfig.builder().idleTimeout(idleTimeout).build())));
    client = new PollingClient(SocketIoTestApp.url(server));
    String sid = client.connected();
    long start = System.nanoTime();
    assertThat(get(sid).body()).isEqualTo("2");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(idleTimeout);
    assertThat(post(sid, "3").body()).isEqualTo("ok");
    assertThat(pollingSessions()).isEqualTo(1);
  }

  @Test
  void batchesWaitingForAGetCountAgainstTheOutboundBytes() throws Exception {
    start(WebSocketTransportConfig.defaults(), c -> c.outboundBufferBytes(64 * 1024));
    String sid = connected();
    // Nobody polls: the batch waiting for a GET stays counted (in flight) until a response carries it, and what
    // queues behind it goes over the byte bound long before the packet bound.
    post(sid, "42[\"flood\",200]");
    await().atMost(WAIT).until(() -> reasons.containsValue(DisconnectReason.SLOW_CONSUMER));
    assertThat(pollingSessions()).isZero();
    await().atMost(WAIT).until(() -> server.stats().queuedBytes() == 0);
  }

  @Test
  void eventsOverTheRateLimitAreAnsweredRateLimited() throws Exception {
    start(WebSocketTransportConfig.defaults(), c -> c.maxEventsPerSecond(1).maxEventBurst(3));
    String sid = connected();
    StringBuilder body = new StringBuilder();
    for (int i = 1; i <= 6; i++) {
      body.append(i == 1 ? "" : RS).append("42").append(i).append("[\"echo\",").append(i).append(']');
    }
    assertThat(post(sid, body.toString()).body()).isEqualTo("ok");
    List<String> answers = receive(sid, 6);
    assertThat(answers.stream().filter(a -> a.endsWith("[{\"error\":\"rate limited\"}]")).count())
        .isGreaterThanOrEqualTo(2);
    assertThat(answers).contains("431[1]");
  }

  @Test
  void anAddressHoldsAtMostItsConnectionsOverPollingToo() throws Exception {
    start(WebSocketTransportConfig.defaults(), c -> c.maxConnectionsPerAddress(2));
    String first = handshake();
    handshake();
    assertError(send(HttpRequest.newBuilder(URI.create(base))), 429, 4, "Too many connections");
    post(first, "1");
    await().atMost(WAIT).until(() -> server.stats().addresses() == 1 && pollingSessions() == 1);
    handshake();
  }

  @Test
  void corsHeadersGoToAllowedOriginsOnly() throws Exception {
    start(WebSocketTransportConfig.builder().allowedOrigins(List.of("http://app.example")).build(), c -> { });
    HttpResponse<String> allowed = send(HttpRequest.newBuilder(URI.create(base)).header("Origin", "http://app.example"));
    assertThat(allowed.statusCode()).isEqualTo(200);
    assertThat(allowed.headers().firstValue("access-control-allow-origin")).hasValue("http://app.example");
    assertThat(allowed.headers().firstValue("access-control-allow-credentials")).hasValue("true");

    HttpResponse<String> evil = send(HttpRequest.newBuilder(URI.create(base)).header("Origin", "http://evil.example"));
    assertError(evil, 403, 4, "Forbidden");
    assertThat(evil.headers().firstValue("access-control-allow-origin")).isEmpty();
    assertThat(evil.headers().firstValue("access-control-allow-credentials")).isEmpty();

    HttpResponse<String> noOrigin = send(HttpRequest.newBuilder(URI.create(base)));
    assertThat(noOrigin.statusCode()).isEqualTo(200);
    assertThat(noOrigin.headers().firstValue("access-control-allow-origin")).isEmpty();

    HttpResponse<String> preflight = send(HttpRequest.newBuilder(URI.create(base))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://app.example")
        .header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "content-type"));
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("access-control-allow-methods")).hasValue("GET, POST");
    assertThat(preflight.headers().firstValue("access-control-allow-headers")).hasValue("content-type");
    assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("http://app.example");
    assertThat(pollingSessions()).as("sessions only from handshakes that got through").isEqualTo(2);
  }

  @Test
  void anyOriginGetsAWildcardWithoutCredentials() throws Exception {
    start(WebSocketTransportConfig.builder().allowedOrigins(List.of("*")).build(), c -> { });
    HttpResponse<String> open = send(HttpRequest.newBuilder(URI.create(base)).header("Origin", "http://any.example"));
    assertThat(open.statusCode()).isEqualTo(200);
    assertThat(open.headers().firstValue("access-control-allow-origin")).hasValue("*");
    assertThat(open.headers().firstValue("access-control-allow-credentials")).isEmpty();
  }

  @Test
  void manySessionsOpenedAndClosedLeaveNothingBehind() throws Exception {
    start();
    for (int i = 0; i < 60; i++) {
      String sid = connected();
      assertThat(post(sid, "421[\"echo\"," + i + "]").body()).isEqualTo("ok");
      assertThat(receive(sid, 1)).containsExactly("431[" + i + "]");
      assertThat(post(sid, "41" + RS + "1").body()).isEqualTo("ok");
    }
    await().atMost(WAIT).until(() -> server.stats().isIdle());
    assertThat(pollingSessions()).isZero();
    assertThat(Arrays.asList(reasons.values().toArray())).hasSize(60);
  }
}
