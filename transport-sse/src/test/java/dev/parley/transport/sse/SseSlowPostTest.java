package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.ServerStats;
import dev.parley.host.jetty.JettyHost;
import dev.parley.host.jetty.JettyHostConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * POST bodies that arrive slowly, or not at all, or are too large without saying so: they are judged
 * before they are read when they can be (unknown session 404, wrong token 403, declared length 413), read
 * without holding a thread, for at most {@code postBodyTimeout} (408, connection closed), and while being
 * read they count against their address's {@code maxConnectionsPerAddress}. The host runs on Jetty's
 * smallest thread pool, so that a body read by a blocking call would leave nothing to serve anyone else.
 */
class SseSlowPostTest {
  private static final int TRICKLES = 30;
  private static final int DECLARED = 200;
  private static final Duration BODY_TIMEOUT = Duration.ofSeconds(1);

  private final HttpClient http = SseTestClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<RawPost> trickling = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "drip");
    thread.setDaemon(true);
    return thread;
  });
  private ChatServer server;

  @AfterEach
  void stop() throws Exception {
    drip.shutdownNow();
    for (RawPost post : trickling) {
      post.close();
    }
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    if (server != null) {
      server.close();
    }
  }

  private void start(Consumer<dev.parley.ChatServerConfig.Builder> config) {
    server = SseTestApp.start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1))
            .maxPostBody(1024).postBodyTimeout(BODY_TIMEOUT).build(),
        b -> b.host(new JettyHost(JettyHostConfig.builder().maxThreads(JettyHostConfig.MIN_MAX_THREADS).build()))
            .config(config));
  }

  private SseTestClient open(String room) throws Exception {
    SseTestClient client = SseTestClient.open(http, SseTestApp.stream(server, room));
    toClose.add(client);
    client.sync();
    return client;
  }

  private InetSocketAddress address() {
    return server.address().orElseThrow();
  }

  /** A POST that sends the start of a body, then one more byte every 300 ms for as long as it is let. */
  private RawPost trickle(String sid, String token) throws IOException {
    RawPost post = RawPost.start(address(), "/sse/lobby?sid=" + sid, DECLARED, "X-Parley-Token", token);
    trickling.add(post);
    post.send("{");
    drip.scheduleWithFixedDelay(() -> {
      if (!post.response().isDone()) {
        post.send(" ");
      }
    }, 300, 300, TimeUnit.MILLISECONDS);
    return post;
  }

  private int reading() {
    return server.stats().transports().getOrDefault("sse.bodies", 0);
  }

  @Test
  void tricklesToAnUnknownSessionOrWithAWrongTokenAreAnsweredBeforeTheirBodyIsRead() throws Exception {
    start(c -> { });
    SseTestClient client = open("lobby");
    List<RawPost> unknown = new ArrayList<>();
    for (int i = 0; i < TRICKLES; i++) {
      unknown.add(trickle("no-such-session-" + i, client.token()));
    }
    List<RawPost> forged = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      forged.add(trickle(client.sessionId(), "forged-" + i));
    }
    for (RawPost post : unknown) {
      RawPost.Response response = post.response().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(response.status()).isEqualTo(404);
      assertThat(response.body()).isEqualTo("{\"error\":\"unknown or closed session\"}");
      assertThat(response.bodyBytesSentBefore()).as("answered before the body was complete").isLessThan(DECLARED);
    }
    for (RawPost post : forged) {
      RawPost.Response response = post.response().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(response.status()).isEqualTo(403);
      assertThat(response.bodyBytesSentBefore()).isLessThan(DECLARED);
    }
    // With its body unread the connection cannot carry another request: the server closes it.
    for (RawPost post : trickling) {
      post.closed().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
    assertThat(reading()).isZero();
    client.sync();
  }

  @Test
  void tricklingBodiesHoldNoThreadAndAre408AtTheDeadlineWhileOthersAreServed() throws Exception {
    start(c -> { });
    SseTestClient attacker = open("lobby");
    SseTestClient bystander = open("lobby");
    ServerStats before = server.stats();
    for (int i = 0; i < TRICKLES; i++) {
      trickle(attacker.sessionId(), attacker.token());
    }
    await().atMost(SseTestClient.TIMEOUT).until(() -> reading() == TRICKLES);

    // All of them are being read, on a pool of 8 threads: a POST and a broadcast still go through at once.
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> echoed = bystander.emit("echo", i);
      assertThat(echoed.statusCode()).isEqualTo(200);
      assertThat(echoed.body()).isEqualTo("[" + i + "]");
      server.to("lobby").emit("tick", i);
      assertThat(bystander.next("tick").data()).isEqualTo(String.valueOf(i));
    }
    assertThat(reading()).as("the trickles are still being read").isEqualTo(TRICKLES);

    for (RawPost post : trickling) {
      RawPost.Response response = post.response().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(response.status()).isEqualTo(408);
      assertThat(response.header("Connection")).isEqualToIgnoringCase("close");
      assertThat(SseTestClient.MAPPER.readTree(response.body()).path("error").asString()).contains("did not arrive");
      assertThat(response.bodyBytesSentBefore()).isLessThan(DECLARED);
      post.closed().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    // The attacker's own session is untouched; nothing the trickles held is left.
    attacker.sync();
    await().atMost(SseTestClient.TIMEOUT).untilAsserted(() -> {
      ServerStats now = server.stats();
      assertThat(now.transports()).isEqualTo(before.transports());
      assertThat(now.inboundBytes()).isZero();
      assertThat(now.timers()).isEqualTo(before.timers());
      assertThat(now.addresses()).isEqualTo(before.addresses());
    });
    attacker.close();
    bystander.close();
    // A client's close is seen at a write: the broadcasts make some.
    await().atMost(SseTestClient.TIMEOUT).until(() -> {
      server.to("lobby").emit("poke");
      return server.stats().isIdle();
    });
  }

  @Test
  void bodyOverMaxPostBodyIs413AsSoonAsItIsOverWithOrWithoutContentLength() throws Exception {
    start(c -> { });
    SseTestClient client = open("lobby");
    // Chunked: there is no length to judge by, so the bytes are counted as they come.
    RawPost chunked = RawPost.start(address(), "/sse/lobby?sid=" + client.sessionId(), -1,
        "X-Parley-Token", client.token());
    trickling.add(chunked);
    assertThat(chunked.send("[" + " ".repeat(599))).isTrue();
    await().atMost(SseTestClient.TIMEOUT).until(() -> reading() == 1);
    assertThat(chunked.response()).isNotDone();
    chunked.send(" ".repeat(600));
    RawPost.Response tooLarge = chunked.response().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.body()).isEqualTo("{\"error\":\"the body is over 1024 bytes\"}");
    chunked.closed().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    // A declared length over the limit: refused from the head alone.
    RawPost declared = RawPost.start(address(), "/sse/lobby?sid=" + client.sessionId(), 1_000_000,
        "X-Parley-Token", client.token());
    trickling.add(declared);
    RawPost.Response refused = declared.response().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(refused.status()).isEqualTo(413);
    assertThat(refused.bodyBytesSentBefore()).isZero();
    declared.closed().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    await().atMost(SseTestClient.TIMEOUT).until(() -> reading() == 0 && server.stats().inboundBytes() == 0);
    client.sync();
  }

  @Test
  void aBodyBeingReadHoldsAPlaceOfItsAddress() throws Exception {
    start(c -> c.maxConnectionsPerAddress(3));
    SseTestClient client = open("lobby");
    trickle(client.sessionId(), client.token());
    trickle(client.sessionId(), client.token());
    await().atMost(SseTestClient.TIMEOUT).until(() -> reading() == 2);

    // One stream and two bodies being read: the address is full, for a POST as for a stream.
    RawPost third = RawPost.start(address(), "/sse/lobby?sid=" + client.sessionId(), DECLARED,
        "X-Parley-Token", client.token());
    trickling.add(third);
    RawPost.Response refused = third.response().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.header("Retry-After")).isEqualTo("1");
    assertThat(refused.body()).isEqualTo("{\"error\":\"too many connections from this address\"}");
    HttpResponse<String> stream = http.send(HttpRequest.newBuilder(SseTestApp.stream(server, "lobby"))
        .header("Accept", "text/event-stream").timeout(SseTestClient.TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(stream.statusCode()).isEqualTo(429);

    // The deadline gives the places back.
    for (RawPost post : trickling.subList(0, 2)) {
      assertThat(post.response().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS).status()).isEqualTo(408);
    }
    await().atMost(SseTestClient.TIMEOUT).until(() -> reading() == 0);
    SseTestClient second = open("lobby");
    client.sync();
    second.sync();
  }
}
