package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.HistoryQuery;
import dev.parley.Message;
import dev.parley.testsupport.SseParser.SseEvent;
import dev.parley.testsupport.Timeouts;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * History then live, and resume with {@code Last-Event-ID}, while posts keep arriving: every message
 * exactly once, in id order, none lost at the hand-over from replay to live or across a reconnect.
 */
class SseResumeTest {
  private final HttpClient http = SseTestClient.newHttpClient();
  private final CountDownLatch holding = new CountDownLatch(1);
  private final CountDownLatch postedWhileHeld = new CountDownLatch(100);
  private ChatServer server;

  @BeforeEach
  void start() {
    // A handshake with ?hold=1 waits until the poster has stored 100 more messages: the connect under test
    // overlaps posts for certain, not by luck of timing.
    server = SseTestApp.start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build(),
        b -> b.use(handshake -> {
          if (handshake.query("hold").isPresent()) {
            holding.countDown();
            if (!postedWhileHeld.await(10, TimeUnit.SECONDS)) {
              throw new IllegalStateException("the poster stalled");
            }
          }
          return handshake;
        }));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void historyThenLiveHasNoGapNorDuplicateWhilePostsArriveDuringTheConnect() throws Exception {
    String room = "handover";
    for (int i = 0; i < 100; i++) {
      server.room(room).post("chat", Map.of("n", -1 - i)).block(Timeouts.STEP);
    }
    // The poster runs from before the stream opens, through its held handshake and its join, until 300
    // posts after its first event arrived. A second stream in the room paces it (at most 25 posts ahead
    // of what that stream has received) and warms up the client.
    SseTestClient pacer = SseTestClient.open(http, SseTestApp.stream(server, room));
    pacer.sync();
    for (int i = 0; i < 50; i++) {
      pacer.next("chat");
    }
    int maxLive = 5_000;
    AtomicInteger stopAt = new AtomicInteger(maxLive);
    CountDownLatch posting = new CountDownLatch(20);
    List<String> posted = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> poster = CompletableFuture.runAsync(() -> {
      try {
        int paced = 0;
        for (int i = 0; i < stopAt.get(); i += 5) {
          // Posting is eager and appends in call order: five in flight at once, awaited in order.
          List<Mono<Message>> batch = new ArrayList<>();
          for (int j = i; j < i + 5; j++) {
            batch.add(server.room(room).post("chat", Map.of("n", j)));
          }
          for (Mono<Message> message : batch) {
            posted.add(message.block(Timeouts.STEP).id());
            posting.countDown();
            if (holding.getCount() == 0) {
              postedWhileHeld.countDown();
            }
          }
          for (; paced < posted.size() - 25; paced++) {
            assertThat(pacer.next("chat").id()).isEqualTo(posted.get(paced));
          }
        }
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(posting.await(10, TimeUnit.SECONDS)).isTrue();

    try (pacer; SseTestClient client = SseTestClient.open(http, SseTestApp.stream(server, room, "hold=1"))) {
      List<String> received = new ArrayList<>();
      received.add(client.next("chat").id());
      int atFirstEvent = posted.size();
      stopAt.set(atFirstEvent + 300);
      poster.get(30, TimeUnit.SECONDS);
      int live = posted.size();
      assertThat(live).as("the poster was still posting when the stream opened").isLessThan(maxLive);
      String last = posted.get(live - 1);
      // Bounded: at most every message of the room, each waited for up to the client's timeout.
      while (!received.get(received.size() - 1).equals(last)) {
        assertThat(received).as("more ids received than were ever posted").hasSizeLessThanOrEqualTo(100 + live);
        SseEvent event = client.next("chat");
        received.add(event.id());
      }
      List<String> history = allIds(room);
      assertThat(history).hasSize(100 + live).isSorted();
      int first = history.indexOf(received.get(0));
      assertThat(first).as("the replay starts inside the history").isGreaterThanOrEqualTo(0);
      assertThat(received).as("a contiguous run of the history: no gap, no duplicate, in order")
          .containsExactlyElementsOf(history.subList(first, history.size()));
      // Replay.last(50) at the moment of the join, when at least 220 messages were stored.
      assertThat(received.size()).isGreaterThanOrEqualTo(50);
      assertThat(first).isGreaterThanOrEqualTo(170);
      // A marker posted after the last message: nothing (a duplicate) may come between them.
      server.room(room).post("marker", 0).block(Timeouts.STEP);
      client.next("marker");
    }
  }

  /** The ids of a room's whole history, oldest first, page by page. */
  private List<String> allIds(String room) {
    List<String> ids = new ArrayList<>();
    for (int page = 0; page < 100; page++) {
      String after = ids.isEmpty() ? "" : ids.get(ids.size() - 1);
      List<String> more = server.room(room).history(HistoryQuery.after(after, 500)).map(Message::id).collectList().block(Timeouts.STEP);
      ids.addAll(more);
      if (more.size() < 500) {
        return ids;
      }
    }
    throw new AssertionError("more than 100 pages of history");
  }

  @Test
  void reconnectingWithLastEventIdReceivesEveryMissedMessageExactlyOnce() throws Exception {
    String room = "reconnect";
    long seed = System.nanoTime();
    Random random = new Random(seed);
    int total = 1_000;
    // The poster stays at most 60 messages ahead of the reader, so posts keep arriving during every
    // reconnect without a backlog the outbound buffer could not hold.
    Semaphore credits = new Semaphore(60);
    AtomicBoolean stop = new AtomicBoolean();
    List<String> posted = Collections.synchronizedList(new ArrayList<>());
    List<String> received = new ArrayList<>();

    SseTestClient first = SseTestClient.open(http, SseTestApp.stream(server, room));
    first.sync();
    CompletableFuture<Void> poster = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < total && !stop.get(); i++) {
        try {
          if (!credits.tryAcquire(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the reader made no progress for 10 s");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        posted.add(server.room(room).post("chat", Map.of("n", i)).block(Timeouts.STEP).id());
      }
    });

    SseTestClient client = first;
    String lastSeen = null;
    try {
      for (int cycle = 0; cycle <= 20; cycle++) {
        if (cycle > 0) {
          // Alternate the header a browser sends with the query parameter for clients that cannot set it.
          client = cycle % 2 == 0
              ? SseTestClient.open(http, SseTestApp.stream(server, room), "Last-Event-ID", lastSeen)
              : SseTestClient.open(http, SseTestApp.stream(server, room,
                  "lastEventId=" + URLEncoder.encode(lastSeen, StandardCharsets.UTF_8)));
        }
        // The first stream reads at least one message, so that every reconnect has an id to resume after.
        // The last stream reads the rest.
        int toRead = cycle == 20 ? total - received.size() : cycle == 0 ? 1 + random.nextInt(40) : random.nextInt(40);
        for (int i = 0; i < toRead && received.size() < total; i++) {
          SseEvent event = client.next("chat");
          received.add(event.id());
          lastSeen = event.id();
          credits.release();
        }
        if (cycle == 20) {
          // A marker posted after the last message: nothing (a duplicate) may come between them.
          server.room(room).post("marker", 0).block(Timeouts.STEP);
          client.next("marker");
        }
        client.close();
      }
    } catch (AssertionError e) {
      throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
    } finally {
      stop.set(true);
      client.close();
    }
    poster.get(30, TimeUnit.SECONDS);

    assertThat(new HashSet<>(received)).as("seed %d: no duplicate", seed).hasSize(received.size());
    assertThat(received).as("seed %d: everything posted since the first stream started, in order", seed)
        .containsExactlyElementsOf(posted);
  }
}
