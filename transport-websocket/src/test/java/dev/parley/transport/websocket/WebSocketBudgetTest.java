package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.ServerStats;
import dev.parley.protocol.DisconnectReason;
import dev.parley.testsupport.RawSocket;
import dev.parley.testsupport.Timeouts;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Attacks on a node's memory, timers and sockets through the Socket.IO wire, at a small scale (small budgets
 * configured), each with its defined answer: no client makes the node hold more than its budgets. Each test
 * checks the answer, that a well-behaved client on the same server is still served afterwards, and that once
 * the clients are gone the node holds nothing: no queued or inbound bytes, no timers.
 */
class WebSocketBudgetTest {
  private static final Duration WAIT = Timeouts.STEP;
  private static final String PLACEHOLDER = "{\"_placeholder\":true,\"num\":%d}";

  private final Map<String, DisconnectReason> reasons = new ConcurrentHashMap<>();
  private final AtomicInteger handled = new AtomicInteger();
  private final AtomicInteger echoes = new AtomicInteger();
  private final AtomicInteger fills = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private ChatServer server;
  private String url;

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.close();
    }
  }

  private void start(WebSocketTransportConfig transport, Consumer<ChatServerConfig.Builder> config) {
    server = SocketIoTestApp.start(transport, b -> b.config(config)
        .namespace("/a", ns -> { }).namespace("/b", ns -> { }).namespace("/c", ns -> { })
        .onConnection(channel -> {
          channel.onDisconnect().subscribe(reason -> reasons.put(channel.id(), reason));
          channel.on("count", (ch, event) -> handled.incrementAndGet());
          // Runs after the application's own "echo" handler, once its ack is queued.
          channel.on("echo", (ch, event) -> echoes.incrementAndGet());
          // Sends the client its argument's number of events of 512 KB: enough to fill the socket's buffers.
          channel.on("fill", (ch, event) -> {
            String big = "f".repeat(512 * 1024);
            for (int i = 0; i < event.arg(0, Integer.class); i++) {
              ch.emit("fill", big);
            }
            fills.incrementAndGet();
          });
          // An argument the encoder fails on with an Error, as it might run out of memory.
          channel.on("poison", (ch, event) -> ch.emit("poison", JsonNodeFactory.instance.pojoNode(new Poison())));
          channel.on("hold", (ch, event) -> {
            try {
              release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
        }));
    url = SocketIoTestApp.url(server);
  }

  private void start(Consumer<ChatServerConfig.Builder> config) {
    start(WebSocketTransportConfig.defaults(), config);
  }

  /** A well-behaved client, joined to "/". */
  private RawSocket bystander() throws InterruptedException {
    RawSocket raw = RawSocket.open(url, true);
    assertThat(raw.next()).startsWith("0{\"sid\":");
    raw.send("40");
    assertThat(raw.next()).startsWith("40{\"sid\":");
    return raw;
  }

  /** A bare-socket client joined to "/"; returns its channel id in {@code sid[0]}. */
  private FrameSocket attacker(int receiveBuffer, String[] sid) throws IOException {
    FrameSocket socket = FrameSocket.open(url, receiveBuffer);
    assertThat(socket.nextText()).startsWith("0{\"sid\":");
    socket.send("40");
    String joined = socket.nextText();
    assertThat(joined).startsWith("40{\"sid\":\"");
    sid[0] = joined.substring(10, joined.indexOf('"', 10));
    return socket;
  }

  private FrameSocket attacker() throws IOException {
    return attacker(0, new String[1]);
  }

  private static void assertStillServed(RawSocket bystander, int id) throws InterruptedException {
    bystander.send("42" + id + "[\"echo\",\"still here\"]");
    assertThat(bystander.next()).isEqualTo("43" + id + "[\"still here\"]");
    assertThat(bystander.isClosed()).isFalse();
  }

  /** Closes the well-behaved clients, then waits until the node holds nothing at all. */
  private void assertIdleOnceGone(RawSocket... clients) {
    for (RawSocket client : clients) {
      client.close();
    }
    await().atMost(WAIT).untilAsserted(() -> {
      ServerStats stats = server.stats();
      assertThat(stats.queuedBytes()).as("queued bytes").isZero();
      assertThat(stats.inboundBytes()).as("inbound bytes").isZero();
      assertThat(stats.timers()).as("timers").isZero();
      assertThat(stats.isIdle()).as("idle: %s", stats).isTrue();
    });
  }

  private static byte[] bytes(int size) {
    byte[] bytes = new byte[size];
    java.util.Arrays.fill(bytes, (byte) 7);
    return bytes;
  }

  private static String placeholders(int from, int to) {
    List<String> list = new ArrayList<>();
    for (int num = from; num < to; num++) {
      list.add(String.format(Locale.ROOT, PLACEHOLDER, num));
    }
    return String.join(",", list);
  }

  // ---- heartbeats ----

  @Test
  void pingWithAPayloadLongerThanAProbeCloses1002() throws Exception {
    start(c -> { });
    RawSocket bystander = bystander();
    try (FrameSocket attacker = attacker()) {
      attacker.send("2probe");
      assertThat(attacker.nextText()).isEqualTo("3probe");
      attacker.send("2" + "p".repeat(16));
      assertThat(attacker.nextText()).isEqualTo("3" + "p".repeat(16));
      attacker.send("2" + "p".repeat(900_000));
      assertThat(attacker.awaitClose()).isEqualTo(1002);
    }
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  @Test
  void pingsFromAClientThatNeverReadsCutItOffAsASlowConsumer() throws Exception {
    int packets = 32;
    start(c -> c.outboundBufferSize(packets).outboundBufferBytes(64 << 20).nodeOutboundBytes(128 << 20));
    RawSocket bystander = bystander();
    String[] sid = new String[1];
    try (FrameSocket attacker = attacker(4096, sid)) {
      // 2 MB at a time for a client that reads nothing, until the socket's buffers are full and what is left
      // waits in the outbox (a few MB on loopback).
      for (int fills = 0; fills < 24 && !stalled(); fills++) {
        int before = this.fills.get();
        attacker.send("42[\"fill\",4]");
        await().atMost(WAIT).until(() -> this.fills.get() > before);
      }
      assertThat(server.stats().queuedPackets()).isPositive().isLessThan(packets);
      // Pongs queue behind it and count like packets: the outbox fills and the client is cut off, where they
      // used to go straight to the socket's own queue, without end.
      int pings = 0;
      while (!reasons.containsKey(sid[0]) && pings < 2 * packets) {
        int queued = server.stats().queuedPackets();
        attacker.send("2probe");
        pings++;
        await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
            .until(() -> reasons.containsKey(sid[0]) || server.stats().queuedPackets() > queued);
        assertThat(server.stats().queuedPackets()).isLessThanOrEqualTo(packets);
      }
      await().atMost(WAIT).until(() -> reasons.get(sid[0]) == DisconnectReason.SLOW_CONSUMER);
      assertThat(pings).isLessThanOrEqualTo(packets);
      assertThat(attacker.awaitClose()).isEqualTo(1008);
    }
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  /** Whether packets have stayed queued for 200 ms: the socket takes no more. */
  private boolean stalled() {
    if (server.stats().queuedPackets() == 0) {
      return false;
    }
    try {
      await().pollDelay(Duration.ZERO).during(Duration.ofMillis(200)).atMost(Duration.ofMillis(500))
          .until(() -> server.stats().queuedPackets() > 0);
      return true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return false;
    }
  }

  // ---- outbound bytes ----

  @Test
  void echoToAClientThatNeverReadsIsCutOffOnceOutboundBufferBytesIsExceeded() throws Exception {
    int buffer = 64 * 1024;
    int payload = 16 * 1024;
    start(c -> c.outboundBufferBytes(buffer));
    RawSocket bystander = bystander();
    String[] sid = new String[1];
    long mostQueued = 0;
    try (FrameSocket attacker = attacker(4096, sid)) {
      String big = "x".repeat(payload);
      for (int i = 0; i < 900 && !reasons.containsKey(sid[0]); i++) {
        int before = echoes.get();
        attacker.send("42" + i + "[\"echo\",\"" + big + "\"]");
        // One at a time: what the server has not read when it closes would reset the connection, close frame and all.
        await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
            .until(() -> reasons.containsKey(sid[0]) || echoes.get() > before);
        mostQueued = Math.max(mostQueued, server.stats().queuedBytes());
      }
      await().atMost(WAIT).until(() -> reasons.get(sid[0]) == DisconnectReason.SLOW_CONSUMER);
      assertThat(attacker.awaitClose()).isEqualTo(1008);
    }
    // The buffer, and at most the one packet that found it full.
    assertThat(mostQueued).isLessThanOrEqualTo(buffer + payload + 64);
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  // ---- inbound bytes ----

  @Test
  void frameOfEmptyObjectsOverTheInboundBudgetOnceParsedCloses1009Unparsed() throws Exception {
    start(c -> c.maxInboundBytes(64 * 1024));
    RawSocket bystander = bystander();
    try (FrameSocket attacker = attacker()) {
      // 60 KB of text, within maxPayload and within the budget as text, but a hundred bytes per object parsed.
      String objects = "{}," .repeat(20_000) + "{}";
      attacker.send("42[\"count\",[" + objects + "]]");
      assertThat(attacker.awaitClose()).isEqualTo(1009);
    }
    assertThat(handled).hasValue(0);
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  @Test
  void eventsBeyondTheNodesInboundBudgetAreAnsweredServerBusy() throws Exception {
    int budget = 64 * 1024;
    start(c -> c.maxInboundBytes(budget).nodeInboundBytes(budget));
    RawSocket bystander = bystander();
    String text = "x".repeat(8 * 1024);
    try (FrameSocket holder = attacker()) {
      // One connection holds two thirds of the node's budget with events queued behind a handler that waits.
      holder.send("42[\"hold\"]");
      holder.text("421[\"echo\",\"" + text + "\"]").text("422[\"echo\",\"" + text + "\"]").flush();
      await().atMost(WAIT).until(() -> server.stats().inboundBytes() > budget / 2);
      // Another, far within its own budget, finds the node's spent.
      long busyBefore = server.stats().busyEvents();
      bystander.send("427[\"echo\",\"" + text + "\"]");
      assertThat(bystander.next()).isEqualTo("437[{\"error\":\"server busy\"}]");
      assertThat(server.stats().busyEvents()).isEqualTo(busyBefore + 1);

      release.countDown();
      assertThat(holder.nextText()).isEqualTo("431[\"" + text + "\"]");
      assertThat(holder.nextText()).isEqualTo("432[\"" + text + "\"]");
    }
    await().atMost(WAIT).until(() -> server.stats().inboundBytes() == 0);
    bystander.send("428[\"echo\",\"" + text + "\"]");
    assertThat(bystander.next()).isEqualTo("438[\"" + text + "\"]");
    assertIdleOnceGone(bystander);
  }

  // ---- binary attachments ----

  @Test
  void attachmentsThatNeverAllArriveAreDroppedAtTheDeadline() throws Exception {
    Duration deadline = Duration.ofMillis(500);
    start(WebSocketTransportConfig.builder().attachmentTimeout(deadline).build(), c -> { });
    RawSocket bystander = bystander();
    try (FrameSocket attacker = attacker()) {
      attacker.text("4564-[\"count\"," + placeholders(0, 64) + "]");
      for (int i = 0; i < 63; i++) {
        attacker.binary(bytes(1024));
      }
      attacker.flush();
      long sent = System.nanoTime();
      assertThat(attacker.awaitClose()).isEqualTo(1002);
      assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(deadline.minusMillis(50));
    }
    assertThat(handled).hasValue(0);
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  @Test
  void attachmentsBeyondTheInboundBudgetClose1009() throws Exception {
    start(c -> c.maxInboundBytes(64 * 1024));
    RawSocket bystander = bystander();
    try (FrameSocket attacker = attacker()) {
      attacker.text("453-[\"count\"," + placeholders(0, 3) + "]");
      for (int i = 0; i < 3; i++) {
        attacker.binary(bytes(30 * 1024));
      }
      attacker.flush();
      assertThat(attacker.awaitClose()).isEqualTo(1009);
    }
    assertThat(handled).hasValue(0);
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  @Test
  void binaryPacketLargerThanMaxPayloadAltogetherCloses1009() throws Exception {
    start(WebSocketTransportConfig.builder().maxPayload(64 * 1024).build(), c -> { });
    RawSocket bystander = bystander();
    String[] sid = new String[1];
    try (FrameSocket attacker = attacker(0, sid)) {
      // Each frame within maxPayload; the packet, text and attachments together, beyond it.
      attacker.text("453-[\"count\"," + placeholders(0, 3) + "]");
      for (int i = 0; i < 3; i++) {
        attacker.binary(bytes(30 * 1024));
      }
      attacker.flush();
      assertThat(attacker.awaitClose()).isEqualTo(1009);
    }
    await().atMost(WAIT).until(() -> reasons.get(sid[0]) == DisconnectReason.MESSAGE_TOO_LARGE);
    // A single frame over maxPayload is the container's to refuse, with the same code and reason.
    try (FrameSocket attacker = attacker(0, sid)) {
      attacker.send("42[\"count\",\"" + "x".repeat(64 * 1024) + "\"]");
      assertThat(attacker.awaitClose()).isEqualTo(1009);
    }
    await().atMost(WAIT).until(() -> reasons.get(sid[0]) == DisconnectReason.MESSAGE_TOO_LARGE);
    assertThat(handled).hasValue(0);
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  @Test
  void reusedPlaceholderCloses1002BeforeAnyAttachmentIsCollected() throws Exception {
    start(c -> { });
    RawSocket bystander = bystander();
    String zero = String.format(Locale.ROOT, PLACEHOLDER, 0);
    try (FrameSocket attacker = attacker()) {
      // 130 KB of references to one attachment: sent on by an application, one binary frame per reference.
      attacker.send("451-[\"binary\"," + (zero + ",").repeat(4_000) + zero + "]");
      assertThat(attacker.awaitClose()).isEqualTo(1002);
    }
    try (FrameSocket attacker = attacker()) {
      attacker.send("452-[\"binary\"," + zero + "]");
      assertThat(attacker.awaitClose()).as("two announced, one referred to").isEqualTo(1002);
    }
    // A binary packet as clients send it still works.
    bystander.send("451-9[\"binary\"," + zero + "]");
    bystander.sendBinary(new byte[] {1, 2, 3});
    assertThat(bystander.next()).isEqualTo("461-9[" + zero + "]");
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  // ---- the rate limit ----

  @Test
  void rateLimitCoversEveryNamespaceOfAConnectionTogether() throws Exception {
    start(c -> c.maxEventsPerSecond(1).maxEventBurst(6));
    RawSocket bystander = bystander();
    try (FrameSocket client = attacker()) {
      client.send("40/admin,");
      assertThat(client.nextText()).startsWith("40/admin,{\"sid\":");
      // Two CONNECTs spent two of the six: four events go through, in either namespace, then neither takes more.
      List<String> answers = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        client.text("42" + i + "[\"echo\"," + i + "]").text("42/admin," + (10 + i) + "[\"whoami\"]");
      }
      client.flush();
      for (int i = 0; i < 10; i++) {
        answers.add(client.nextText());
      }
      long limited = answers.stream().filter(a -> a.endsWith("[{\"error\":\"rate limited\"}]")).count();
      assertThat(10 - limited).as("answered normally: %s", answers).isBetween(4L, 5L);
      assertThat(answers).contains("43/admin,11[\"/admin\"]", "431[1]", "43/admin,15[{\"error\":\"rate limited\"}]",
          "435[{\"error\":\"rate limited\"}]");
    }
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  @Test
  void connectDisconnectChurnBuysNoFreshBudget() throws Exception {
    start(c -> c.maxEventsPerSecond(1).maxEventBurst(4));
    RawSocket bystander = bystander();
    try (FrameSocket client = attacker()) {
      // Joining and leaving would have given each new channel a full bucket; the bucket is the connection's, and
      // each CONNECT takes from it.
      for (String namespace : List.of("/a", "/b", "/c")) {
        client.send("40" + namespace + ",");
        assertThat(client.nextText()).startsWith("40" + namespace + ",{\"sid\":");
        client.send("41" + namespace + ",");
      }
      // The bucket refills at one per second: of three events, one might get through on a slow machine.
      client.text("421[\"echo\",1]").text("422[\"echo\",2]").text("423[\"echo\",3]").flush();
      List<String> answers = List.of(client.nextText(), client.nextText(), client.nextText());
      assertThat(answers.stream().filter(a -> a.endsWith("[{\"error\":\"rate limited\"}]")).count())
          .as("%s", answers).isGreaterThanOrEqualTo(2);
      client.send("40/a,");
      assertThat(client.nextText()).isEqualTo("44/a,{\"message\":\"rate limited\"}");
    }
    assertThat(server.stats().rateLimitedEvents()).isGreaterThanOrEqualTo(3);
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  // ---- names ----

  @Test
  void hugeNamespaceInConnectCloses1002AndNothingIsEchoed() throws Exception {
    start(c -> { });
    RawSocket bystander = bystander();
    String huge = "/" + "n".repeat(100 * 1024);
    try (FrameSocket attacker = attacker()) {
      attacker.send("40" + huge + ",{\"token\":\"x\"}");
      List<String> received = new ArrayList<>();
      int code;
      for (;;) {
        FrameSocket.Frame frame = attacker.next();
        if (frame.opcode() == FrameSocket.CLOSE) {
          code = ((frame.payload()[0] & 0xff) << 8) | (frame.payload()[1] & 0xff);
          break;
        }
        received.add(frame.text());
      }
      assertThat(code).isEqualTo(1002);
      assertThat(received).isEmpty();
    }
    try (FrameSocket attacker = attacker()) {
      // Short, but not a name: the engine closes too, and quotes nothing back.
      attacker.send("40/\u001b[31mred,");
      assertThat(attacker.awaitClose()).isEqualTo(1002);
    }
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  // ---- failures of the server's own ----

  /** A value whose serialisation fails with an Error. */
  public static final class Poison {
    public String getValue() {
      throw new OutOfMemoryError("poison");
    }
  }

  @Test
  void packetThatFailsToEncodeEndsItsConnectionWith1011LoggedOnce() throws Exception {
    start(c -> { });
    RawSocket bystander = bystander();
    String[] sid = new String[1];
    try (RecordingLog log = RecordingLog.debug()) {
      try (FrameSocket victim = attacker(0, sid)) {
        victim.send("42[\"poison\"]");
        assertThat(victim.awaitClose()).isEqualTo(1011);
      }
      await().atMost(WAIT).until(() -> reasons.get(sid[0]) == DisconnectReason.TRANSPORT_ERROR);
      assertThat(log.text().lines().filter(line -> line.contains(" WARN ")).toList()).as(log.text())
          .singleElement().asString().contains("failed; closing it");
    }
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  // ---- what the container answers itself ----

  @Test
  void textFrameThatIsNotUtf8Closes1007() throws Exception {
    start(c -> { });
    RawSocket bystander = bystander();
    String[] sid = new String[1];
    try (FrameSocket attacker = attacker(0, sid)) {
      attacker.frame(FrameSocket.TEXT, new byte[] {'4', '2', '[', '"', (byte) 0xc3, (byte) 0x28, '"', ']'}).flush();
      assertThat(attacker.awaitClose()).isEqualTo(1007);
    }
    await().atMost(WAIT).until(() -> reasons.get(sid[0]) == DisconnectReason.PARSE_ERROR);
    assertThat(handled).hasValue(0);
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  @Test
  void upgradeWithoutWebSocketVersion13OrAKeyGets400Json() throws Exception {
    start(c -> { });
    String head = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\n";
    String key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    try (RecordingLog log = RecordingLog.debug("dev.parley.transport.websocket.internal.SocketIoServlet")) {
      List<String> requests = List.of(
          head + key + "Sec-WebSocket-Version: 8\r\n\r\n",
          head + key + "\r\n",
          head + "Sec-WebSocket-Version: 13\r\n\r\n");
      for (String request : requests) {
        String response = FrameSocket.exchange(url, request);
        assertThat(response).as(request).startsWith("HTTP/1.1 400 ");
        assertThat(response.toLowerCase(Locale.ROOT)).contains("content-type: application/json")
            .contains("sec-websocket-version: 13");
        assertThat(response).endsWith("\r\n\r\n{\"code\":3,\"message\":\"Bad request\"}");
      }
      await().atMost(WAIT).until(() -> log.text().lines().filter(l -> l.contains("bad WebSocket upgrade")).count() == 3);
      assertThat(log.text().lines()).as(log.text()).hasSize(3);
    }
    assertThat(server.stats().transports()).containsEntry("websocket.sockets", 0);
    RawSocket bystander = bystander();
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }

  @Test
  void upgradeThatJettysHandshakerRefusesGets400JsonAndHoldsNoPlace() throws Exception {
    // One connection per address: a refused upgrade that kept its admission would refuse the bystander.
    start(c -> c.maxConnectionsPerAddress(1));
    // Everything Parley checks is there, over HTTP/1.0, which Jetty's core handshaker refuses (RFC 6455 section
    // 4.1 asks for HTTP/1.1 at least): the refusal is the transport's, as Engine.IO's JSON.
    String request = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.0\r\nHost: {host}\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n";
    for (int i = 0; i < 3; i++) {
      String response = FrameSocket.exchange(url, request);
      assertThat(response).startsWith("HTTP/1.1 400 ");
      assertThat(response.toLowerCase(Locale.ROOT)).as(response).contains("content-type: application/json");
      assertThat(response).endsWith("\r\n\r\n{\"code\":3,\"message\":\"Bad request\"}");
    }
    assertThat(server.stats().transports()).containsEntry("websocket.sockets", 0);
    RawSocket bystander = bystander();
    assertStillServed(bystander, 1);
    assertIdleOnceGone(bystander);
  }
}
