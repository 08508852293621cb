package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.Channel;
import dev.parley.ChatServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Engine.IO's upgrade from long-polling to WebSocket while packets flow both ways, by hand, as a client that
 * keeps to the protocol does it: it POSTs numbered events (which the server echoes to it) and long-polls while the
 * probe goes on, pauses polling once the probe is answered (its last POST and GET done), sends {@code 5}, then
 * sends the rest over the WebSocket; meanwhile the server emits a numbered stream to it, one event per event the
 * client has sent, so that the stream spans the switch. Nothing may be lost, duplicated or reordered either way.
 * The heartbeat is the default one (25 s), so that nothing here relies on a ping to unstick a request.
 */
class UpgradeRaceTest {
  private static final int ROUNDS = 5;
  private static final int SENT = 240;
  private static final int PER_POST = 3;

  private final AtomicReference<Channel> current = new AtomicReference<>();
  private ExecutorService pool;
  private ChatServer server;
  private String url;
  private RawPolling polling;

  @BeforeEach
  void start() {
    server = SocketIoTestApp.start(WebSocketTransportConfig.defaults(), b -> b.onConnection(channel -> {
      current.set(channel);
      channel.on("seq", (ch, event) -> ch.emit("seq", event.arg(0, Integer.class)));
    }));
    url = SocketIoTestApp.url(server);
    polling = new RawPolling(url);
    pool = Executors.newFixedThreadPool(3);
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
    server.close();
  }

  private int count(String what) {
    return server.stats().transports().get("websocket." + what);
  }

  @Test
  void aGetSentWhileTheProbeIsUnderwayIsAnsweredNotHeldUntilTheNextPing() throws Exception {
    String sid = polling.connected();
    CompletableFuture<HttpResponse<String>> held = polling.getAsync(sid);
    await().atMost(RawPolling.WAIT).until(() -> count("heldPolls") == 1);
    try (FrameSocket probe = FrameSocket.probe(url, sid)) {
      probe.send("2probe");
      assertThat(held.get(RawPolling.WAIT.toMillis(), TimeUnit.MILLISECONDS).body()).isEqualTo("6");
      // A client that got the noop before the 3probe polls again, and once it has the 3probe waits for that
      // poll to end before it sends 5: held until the next ping (25 s away), it would stall the upgrade.
      HttpResponse<String> again = polling.getAsync(sid).get(2, TimeUnit.SECONDS);
      assertThat(again.statusCode()).isEqualTo(200);
      assertThat(again.body()).isEqualTo("6");
      assertThat(probe.nextText()).isEqualTo("3probe");
      probe.send("5");
      probe.send("421[\"echo\",\"upgraded\"]");
      assertThat(probe.nextText()).isEqualTo("431[\"upgraded\"]");
    }
    await().atMost(RawPolling.WAIT).until(() -> server.stats().isIdle());
  }

  @Test
  void packetsBothWaysAcrossTheUpgradeArriveOnceInOrder() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      new Round(polling.connected()).run();
      await().atMost(RawPolling.WAIT).until(() -> server.stats().isIdle());
    }
  }

  /** One session: its upgrade under traffic both ways. */
  private final class Round {
    private final String sid;
    private final Channel channel;
    // Events from the server, in the order they came: over polling first, over the WebSocket after the 5.
    private final Queue<String> received = new ConcurrentLinkedQueue<>();
    private final AtomicInteger seqs = new AtomicInteger();
    private final AtomicInteger stream = new AtomicInteger();
    // One permit per event the client has sent: the server's stream keeps pace with them.
    private final Semaphore sent = new Semaphore(0);
    private final AtomicInteger sentCount = new AtomicInteger();
    // Pongs owed over polling: POSTs go one at a time, so the poster sends them.
    private final Queue<String> pongs = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Integer> posterPaused = new CompletableFuture<>();
    private final CompletableFuture<Void> pollerPaused = new CompletableFuture<>();
    private final CompletableFuture<FrameSocket> upgraded = new CompletableFuture<>();
    private volatile boolean pause;

    Round(String sid) {
      this.sid = sid;
      this.channel = current.get();
    }

    void run() throws Exception {
      CompletableFuture<Void> poster = CompletableFuture.runAsync(this::post, pool);
      CompletableFuture<Void> poller = CompletableFuture.runAsync(this::poll, pool);
      CompletableFuture<Void> emitter = CompletableFuture.runAsync(this::emit, pool);
      await().atMost(RawPolling.WAIT).until(() -> sentCount.get() >= SENT / 3 || poster.isDone());
      try (FrameSocket socket = FrameSocket.probe(url, sid)) {
        send(socket, "2probe");
        assertThat(socket.nextText()).isEqualTo("3probe");
        pause = true;
        int overPolling = posterPaused.get(RawPolling.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        pollerPaused.get(RawPolling.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(overPolling).as("the client was still sending when the upgrade came").isLessThan(SENT);
        send(socket, "5");
        upgraded.complete(socket);
        long deadline = System.nanoTime() + RawPolling.WAIT.toNanos();
        while (seqs.get() < SENT || stream.get() < SENT) {
          assertThat(System.nanoTime()).as("everything came within %s", RawPolling.WAIT).isLessThan(deadline);
          String frame = socket.nextText();
          if (frame.equals("2")) {
            send(socket, "3");
          } else {
            accept(frame);
          }
        }
        poster.get(RawPolling.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        poller.get(RawPolling.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        emitter.get(RawPolling.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(polling.get(sid).statusCode()).as("polling the upgraded session").isEqualTo(400);
      }
      assertInOrder("seq");
      assertInOrder("n");
    }

    private void assertInOrder(String event) {
      String prefix = "42[\"" + event + "\",";
      List<String> got = new ArrayList<>();
      for (String packet : received) {
        if (packet.startsWith(prefix)) {
          got.add(packet);
        }
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < SENT; i++) {
        expected.add(prefix + i + "]");
      }
      assertThat(got).containsExactlyElementsOf(expected);
    }

    private void accept(String packet) {
      if (packet.startsWith("42[\"seq\",")) {
        seqs.incrementAndGet();
      } else if (packet.startsWith("42[\"n\",")) {
        stream.incrementAndGet();
      } else {
        throw new AssertionError("unexpected packet " + packet);
      }
      received.add(packet);
    }

    private static void send(FrameSocket socket, String text) throws Exception {
      synchronized (socket) {
        socket.send(text);
      }
    }

    // Sends the numbered events, PER_POST to a POST, until told to pause; the rest over the WebSocket.
    private void post() {
      try {
        int next = 0;
        while (next < SENT && !pause) {
          StringBuilder body = new StringBuilder();
          for (String pong; (pong = pongs.poll()) != null; ) {
            body.append(pong).append(RawPolling.RS);
          }
          int from = next;
          for (; next < SENT && next < from + PER_POST; next++) {
            body.append(next == from ? "" : RawPolling.RS).append("42[\"seq\",").append(next).append(']');
          }
          HttpResponse<String> answer = polling.post(sid, body.toString());
          assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
          sent(next - from);
        }
        posterPaused.complete(next);
        FrameSocket socket = upgraded.get(RawPolling.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        for (; next < SENT; next++) {
          send(socket, "42[\"seq\"," + next + "]");
          sent(1);
        }
      } catch (Throwable e) {
        posterPaused.completeExceptionally(e);
        throw new IllegalStateException(e);
      }
    }

    private void sent(int events) {
      sentCount.addAndGet(events);
      sent.release(events);
    }

    // Long-polls until told to pause, as a client does between its probe's answer and its 5.
    private void poll() {
      try {
        while (!pause) {
          HttpResponse<String> answer = polling.get(sid);
          assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
          for (String packet : RawPolling.packets(answer.body())) {
            if (packet.equals("2")) {
              pongs.add("3");
            } else if (!packet.equals("6")) {
              accept(packet);
            }
          }
        }
        pollerPaused.complete(null);
      } catch (Throwable e) {
        pollerPaused.completeExceptionally(e);
        throw new IllegalStateException(e);
      }
    }

    // The server's numbered stream, one event for each the client has sent.
    private void emit() {
      try {
        for (int i = 0; i < SENT; i++) {
          assertThat(sent.tryAcquire(RawPolling.WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
          channel.emit("n", i);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
