package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.ChatServerConfig;
import dev.parley.ServerStats;
import dev.parley.protocol.DisconnectReason;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The engine's guarantees over HTTP long-polling, by raw requests, as over WebSocket: a client that stops polling
 * is a slow consumer, a broadcast is encoded once for every polling session, each channel's events keep their
 * order, the rate limit and the per-address limit hold, {@code ServerStats} counts polling sessions, and churn
 * leaves nothing behind.
 */
class PollingGuaranteesTest {
  private static final Duration WAIT = RawPolling.WAIT;
  private static final WebSocketTransportConfig SHORT_HEARTBEAT = WebSocketTransportConfig.builder()
      .pingInterval(Duration.ofMillis(200)).pingTimeout(Duration.ofMillis(300)).build();

  private final Map<String, DisconnectReason> reasons = new ConcurrentHashMap<>();
  private ChatServer server;
  private RawPolling polling;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void start(WebSocketTransportConfig transport, Consumer<ChatServerConfig.Builder> config) {
    server = SocketIoTestApp.start(transport, b -> b.config(config).onConnection(channel ->
        channel.onDisconnect().subscribe(reason -> reasons.put(channel.id(), reason))));
    polling = new RawPolling(SocketIoTestApp.url(server));
  }

  private int count(String what) {
    return server.stats().transports().get("websocket." + what);
  }

  private void awaitIdle() {
    await().atMost(WAIT).until(() -> server.stats().isIdle());
    assertThat(List.of(count("polling"), count("heldPolls"), count("bodies"))).containsOnly(0);
  }

  @Test
  void aClientThatStopsPollingIsCutOffAndLeavesNothingQueued() throws Exception {
    // The default heartbeat: the bystander does not poll either, and on a loaded machine a short one would end
    // it (ping timeout) before it is asked to show it is still served. The cut-off is the buffer's, not the
    // heartbeat's.
    start(WebSocketTransportConfig.defaults(), c -> c.outboundBufferSize(32));
    String sid = polling.connected();
    String bystander = polling.connected();
    // Nobody polls the first: its batch waits for a GET, everything after it queues behind.
    assertThat(polling.post(sid, "42[\"burst\",500]").body()).isEqualTo("ok");
    await().atMost(WAIT).until(() -> reasons.containsValue(DisconnectReason.SLOW_CONSUMER));
    assertThat(polling.get(sid).statusCode()).isEqualTo(400);
    // The other session is served meanwhile.
    assertThat(polling.post(bystander, "421[\"echo\",\"still here\"]").body())
        .as("the bystander's post; the sessions that ended and why: %s", reasons).isEqualTo("ok");
    assertThat(polling.receive(bystander, 1)).containsExactly("431[\"still here\"]");
    assertThat(polling.post(bystander, "41" + RawPolling.RS + "1").body()).isEqualTo("ok");
    awaitIdle();
  }

  /** A value the codec serialises through its getter: counts the encodings of the packets it is in. */
  static final class Counted {
    static final AtomicInteger READS = new AtomicInteger();

    public int getValue() {
      READS.incrementAndGet();
      return 7;
    }
  }

  @Test
  void aBroadcastToManyPollingSessionsIsEncodedOnce() throws Exception {
    start(WebSocketTransportConfig.defaults(), c -> { });
    int sessions = 20;
    List<String> sids = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      sids.add(polling.connected());
    }
    Counted.READS.set(0);
    server.to("lobby").emit("counted", JsonNodeFactory.instance.pojoNode(new Counted())).block(WAIT);
    for (String sid : sids) {
      assertThat(polling.receive(sid, 1)).containsExactly("42[\"counted\",{\"value\":7}]");
    }
    assertThat(Counted.READS.get()).as("encodings of one broadcast to %d sessions", sessions).isEqualTo(1);
    // The count does count per packet: one emit per channel is one encoding each.
    for (Channel channel : server.namespace().channels()) {
      channel.emit("counted", JsonNodeFactory.instance.pojoNode(new Counted()));
    }
    for (String sid : sids) {
      assertThat(polling.receive(sid, 1)).containsExactly("42[\"counted\",{\"value\":7}]");
    }
    assertThat(Counted.READS.get()).isEqualTo(1 + sessions);
  }

  @Test
  void eachChannelGetsItsEventsInOrder() throws Exception {
    start(WebSocketTransportConfig.defaults(), c -> { });
    int sessions = 8;
    int events = 300;
    List<String> sids = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      String sid = polling.connected();
      assertThat(polling.post(sid, "42[\"burst\"," + events + "]").body()).isEqualTo("ok");
      sids.add(sid);
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      expected.add("42[\"n\"," + i + "]");
    }
    for (String sid : sids) {
      assertThat(polling.receive(sid, events)).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void eventsOverTheRateLimitAreAnsweredRateLimitedAndCounted() throws Exception {
    start(WebSocketTransportConfig.defaults(), c -> c.maxEventsPerSecond(1).maxEventBurst(3));
    String sid = polling.connected();
    StringBuilder body = new StringBuilder();
    for (int i = 1; i <= 10; i++) {
      body.append(i == 1 ? "" : RawPolling.RS).append("42").append(i).append("[\"echo\",").append(i).append(']');
    }
    assertThat(polling.post(sid, body.toString()).body()).isEqualTo("ok");
    List<String> answers = polling.receive(sid, 10);
    long limited = answers.stream().filter(a -> a.endsWith("[{\"error\":\"rate limited\"}]")).count();
    // Within the burst (the bucket refills at one a second, so one more may get through on a slow machine).
    assertThat(limited).isBetween(6L, 8L);
    // Refusals are answered at once, handled events once their handler has run: acks need not come in order.
    assertThat(answers).contains("431[1]", "432[2]");
    assertThat(server.stats().rateLimitedEvents()).isEqualTo(limited);
    assertThat(reasons).as("the channel stays connected").isEmpty();
  }

  @Test
  void anAddressHoldsAtMostItsConnectionsAndAbandonedSessionsGiveTheirPlacesBack() throws Exception {
    start(SHORT_HEARTBEAT, c -> c.maxConnectionsPerAddress(3));
    polling.handshake();
    polling.handshake();
    polling.connected();
    HttpResponse<String> refused = polling.open();
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.body()).isEqualTo("{\"code\":4,\"message\":\"Too many connections\"}");
    assertThat(count("polling")).isEqualTo(3);
    // None of them polls: their heartbeat goes unanswered and they end, freeing their places.
    await().atMost(WAIT).until(() -> count("polling") == 0 && server.stats().addresses() == 0);
    polling.handshake();
    polling.handshake();
    polling.handshake();
    assertThat(polling.open().statusCode()).isEqualTo(429);
  }

  @Test
  void serverStatsCountPollingSessionsHeldGetsAndChannels() throws Exception {
    start(WebSocketTransportConfig.defaults(), c -> { });
    String handshaken = polling.handshake();
    String connected = polling.connected();
    ServerStats stats = server.stats();
    assertThat(stats.sessions()).isEqualTo(2);
    assertThat(stats.channels()).isEqualTo(1);
    assertThat(stats.addresses()).isEqualTo(1);
    assertThat(count("polling")).isEqualTo(2);
    assertThat(count("heldPolls")).isZero();

    CompletableFuture<HttpResponse<String>> held = polling.getAsync(connected);
    await().atMost(WAIT).until(() -> count("heldPolls") == 1);
    assertThat(server.stats().isIdle()).isFalse();
    server.to("lobby").emit("wake").block(WAIT);
    assertThat(held.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).body()).isEqualTo("42[\"wake\"]");
    assertThat(count("heldPolls")).isZero();

    assertThat(polling.post(handshaken, "1").body()).isEqualTo("ok");
    assertThat(polling.post(connected, "41" + RawPolling.RS + "1").body()).isEqualTo("ok");
    awaitIdle();
    assertThat(server.stats().sessions()).isZero();
  }

  @Test
  void churnOfPollingSessionsClosedOrAbandonedLeavesTheServerIdle() throws Exception {
    start(SHORT_HEARTBEAT, c -> { });
    int sessions = 200;
    for (int i = 0; i < sessions; i++) {
      String sid = polling.connected();
      assertThat(polling.post(sid, "421[\"echo\"," + i + "]").body()).isEqualTo("ok");
      assertThat(polling.receive(sid, 1)).containsExactly("431[" + i + "]");
      if (i % 2 == 0) {
        assertThat(polling.post(sid, "41" + RawPolling.RS + "1").body()).isEqualTo("ok");
      }
      // The odd ones are abandoned: no close, no more polls; the heartbeat ends them.
    }
    awaitIdle();
    assertThat(reasons).hasSize(sessions);
    assertThat(reasons.values().stream().filter(r -> r == DisconnectReason.CLIENT_NAMESPACE_DISCONNECT).count())
        .isEqualTo(sessions / 2);
    assertThat(reasons.values().stream().filter(r -> r == DisconnectReason.PING_TIMEOUT).count())
        .isEqualTo(sessions / 2);
  }
}
