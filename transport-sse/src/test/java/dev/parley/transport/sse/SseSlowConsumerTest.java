package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.Channel;
import dev.parley.ChatServer;
import dev.parley.protocol.DisconnectReason;
import dev.parley.testsupport.SseParser.SseEvent;
import dev.parley.testsupport.Timeouts;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A stream whose reader stops reading is cut off as a slow consumer once the engine's small outbound
 * buffer fills, while the other streams keep receiving; resuming with {@code Last-Event-ID} afterwards
 * loses nothing that was posted.
 */
class SseSlowConsumerTest {
  private static final String ROOM = "slow";
  private static final int BUFFER = 16;
  private static final int MAX_POSTS = 3_000;
  private static final String PAYLOAD = "x".repeat(8 * 1024);

  @Test
  void streamThatStopsReadingIsCutOffAndResumesWithoutLoss() throws Exception {
    SseTransport transport = new SseTransport(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build());
    Map<String, DisconnectReason> reasons = new ConcurrentHashMap<>();
    HttpClient http = SseTestClient.newHttpClient();
    try (ChatServer server = SseTestApp.start(transport, b -> b
        .config(c -> c.outboundBufferSize(BUFFER))
        .onConnection(channel -> channel.onDisconnect().subscribe(reason -> reasons.put(channel.id(), reason))));
         SseTestClient first = SseTestClient.open(http, SseTestApp.stream(server, ROOM));
         SseTestClient second = SseTestClient.open(http, SseTestApp.stream(server, ROOM));
         RawSseSocket slow = RawSseSocket.open(new InetSocketAddress("127.0.0.1",
             server.address().orElseThrow().getPort()), "/sse/" + ROOM, 1024)) {
      first.sync();
      second.sync();
      // The raw socket never reads until it has been cut off: its channel is the third member of the room.
      await().atMost(SseTestClient.TIMEOUT).until(() -> server.room(ROOM).members().size() == 3);
      String slowChannel = server.room(ROOM).members().stream().map(Channel::id)
          .filter(id -> !id.equals(first.channelId()) && !id.equals(second.channelId())).findFirst().orElseThrow();

      // Post until the server gives up on the raw socket (bounded). The HTTP clients read all the time.
      List<String> posted = new ArrayList<>();
      for (int i = 0; i < MAX_POSTS && !reasons.containsKey(slowChannel); i++) {
        posted.add(server.room(ROOM).post("chat", Map.of("n", i, "text", PAYLOAD)).block(Timeouts.STEP).id());
      }
      await().atMost(SseTestClient.TIMEOUT).until(() -> reasons.containsKey(slowChannel));
      assertThat(reasons).as("cut off within %d posts of 8 KiB", MAX_POSTS).containsEntry(slowChannel,
          DisconnectReason.SLOW_CONSUMER);
      int atCutOff = posted.size();
      for (int i = 0; i < 20; i++) {
        posted.add(server.room(ROOM).post("chat", Map.of("n", atCutOff + i, "text", "after")).block(Timeouts.STEP).id());
      }
      for (SseTestClient reader : List.of(first, second)) {
        List<String> saw = new ArrayList<>();
        while (saw.size() < posted.size()) {
          saw.add(reader.next("chat").id());
        }
        assertThat(saw).as("a reader that keeps up gets everything").containsExactlyElementsOf(posted);
      }
      assertThat(reasons).doesNotContainKeys(first.channelId(), second.channelId());

      // The server let go of the stalled stream without waiting for its reader.
      await().alias("the slow stream is released").atMost(SseTestClient.TIMEOUT)
          .until(() -> transport.openStreams() == 2);
      assertThat(slow.readToEnd()).as("the server closed the slow stream's connection").isTrue();
      assertThat(slow.status()).isEqualTo(200);
      assertThat(slow.events().get(0).event()).isEqualTo("parley:session");
      List<String> slowSaw = slow.events().stream().skip(1).map(SseEvent::id).toList();
      assertThat(slowSaw).as("the kernel buffers held some events").isNotEmpty();
      assertThat(slowSaw.size()).as("the slow reader fell behind").isLessThan(atCutOff);
      assertThat(slowSaw).containsExactlyElementsOf(posted.subList(0, slowSaw.size()));

      // A resume after the cut-off gets exactly what the slow reader missed.
      String lastSeen = slowSaw.get(slowSaw.size() - 1);
      try (SseTestClient resumed = SseTestClient.open(http, SseTestApp.stream(server, ROOM), "Last-Event-ID", lastSeen)) {
        List<String> missed = new ArrayList<>();
        while (missed.size() < posted.size() - slowSaw.size()) {
          missed.add(resumed.next("chat").id());
        }
        assertThat(missed).containsExactlyElementsOf(posted.subList(slowSaw.size(), posted.size()));
        resumed.sync();
        assertThat(resumed.pending()).isZero();
      }
    }
  }
}
