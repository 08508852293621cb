package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.testsupport.SseParser.SseEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 1,000 concurrent streams in one room each receive every one of 100 broadcasts, in order. The client
 * side has no thread per stream: the JDK client's selector and a 4-thread executor parse every stream.
 */
class ManyStreamsTest {
  private static final int STREAMS = 1_000;
  private static final int BROADCASTS = 100;

  @Test
  void everyStreamReceivesEveryBroadcastInOrder() throws Exception {
    ExecutorService executor = Executors.newFixedThreadPool(4);
    SseTransport transport = new SseTransport(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build());
    List<SseTestClient> clients = new ArrayList<>();
    try (ChatServer server = SseTestApp.start(transport, b -> { })) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
          .connectTimeout(SseTestClient.TIMEOUT).build();
      URI uri = SseTestApp.stream(server, "many");
      List<CompletableFuture<SseTestClient>> opening = new ArrayList<>();
      for (int i = 0; i < STREAMS; i++) {
        opening.add(SseTestClient.connect(http, uri, false));
        // In waves: a burst beyond the listen backlog (Jetty's default is 50) drops SYNs, which cost a
        // one-second retransmit each.
        if (opening.size() % 40 == 0) {
          CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
      }
      for (CompletableFuture<SseTestClient> future : opening) {
        SseTestClient client = future.get(30, TimeUnit.SECONDS);
        clients.add(client);
        assertThat(client.statusCode()).isEqualTo(200);
      }
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .until(() -> server.room("many").members().size() == STREAMS);
      assertThat(transport.openStreams()).isEqualTo(STREAMS);
      for (SseTestClient client : clients) {
        client.awaitSession();
      }

      for (int i = 0; i < BROADCASTS; i++) {
        server.to("many").emit("tick", i);
      }
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
          .until(() -> clients.stream().allMatch(c -> c.pending() >= BROADCASTS));
      for (SseTestClient client : clients) {
        List<SseEvent> events = client.drain();
        assertThat(events).hasSize(BROADCASTS);
        for (int i = 0; i < BROADCASTS; i++) {
          assertThat(events.get(i)).isEqualTo(new SseEvent(null, "tick", Integer.toString(i)));
        }
      }
    } finally {
      clients.forEach(SseTestClient::close);
      executor.shutdownNow();
    }
  }
}
