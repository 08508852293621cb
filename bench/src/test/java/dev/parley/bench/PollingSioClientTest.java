package dev.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.testsupport.Timeouts;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The load generator's long-polling client against the bench server in this JVM: it connects over
 * {@code transport=polling} only, gets acks, receives a room's broadcasts in order through its long-polls,
 * and its POSTs carry the events of a publisher that is itself a polling session.
 */
class PollingSioClientTest {
  private static final int MESSAGES = 30;
  private final ExecutorService httpThreads = Executors.newFixedThreadPool(2);
  private final HttpClient http = HttpClient.newBuilder().executor(httpThreads).build();
  private final List<BenchClient> clients = new ArrayList<>();
  private ChatServer server;
  private String url;

  @BeforeEach
  void start() {
    server = BenchServer.start(0);
    url = "http://127.0.0.1:" + server.address().orElseThrow().getPort();
  }

  @AfterEach
  void stop() {
    clients.forEach(BenchClient::close);
    server.close();
    httpThreads.shutdownNow();
  }

  @Test
  void pollingClientsExchangeEventsAndAcks() throws Exception {
    Queue<String> first = new ConcurrentLinkedQueue<>();
    Queue<String> second = new ConcurrentLinkedQueue<>();
    PollingSioClient one = connect(first);
    PollingSioClient two = connect(second);
    PollingSioClient publisher = connect(new ConcurrentLinkedQueue<>());
    assertThat(server.stats().transports()).containsEntry("websocket.polling", 3).containsEntry("websocket.sockets", 0);

    assertThat(one.emitWithAck("[\"join\",\"bench\"]").get(Timeouts.STEP.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo("[\"ok\"]");
    assertThat(two.emitWithAck("[\"join\",\"bench\"]").get(Timeouts.STEP.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo("[\"ok\"]");
    assertThat(publisher.emitWithAck("[\"echo\",{\"x\":\"\\u00e9\"}]").get(Timeouts.STEP.toSeconds(), TimeUnit.SECONDS))
        .isEqualTo("[{\"x\":\"é\"}]");
    long pollsBefore = one.polls();
    // Emitted back to back: most wait in the client for the POST in flight and leave joined in the next one.
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      String payload = "{\"i\":" + i + "}";
      sent.add("[\"msg\"," + payload + "]");
      publisher.emit("[\"pub\",\"bench\"," + payload + "]");
    }

    await().atMost(Timeouts.STEP).until(() -> first.size() >= MESSAGES && second.size() >= MESSAGES);
    assertThat(first).containsExactlyElementsOf(sent);
    assertThat(second).containsExactlyElementsOf(sent);
    assertThat(one.polls() - pollsBefore).isBetween(1L, (long) MESSAGES);
  }

  @Test
  void connectFailsWhenNoServerAnswers() {
    server.close();
    assertThatThrownBy(() -> PollingSioClient.connect(http, url, (name, raw) -> { })
        .get(Timeouts.STEP.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
  }

  private PollingSioClient connect(Queue<String> events) throws Exception {
    PollingSioClient client = PollingSioClient.connect(http, url, (name, raw) -> events.add(raw))
        .get(Timeouts.STEP.toSeconds(), TimeUnit.SECONDS);
    clients.add(client);
    return client;
  }
}
