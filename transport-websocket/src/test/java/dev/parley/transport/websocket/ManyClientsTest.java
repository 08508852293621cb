package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** 1,000 concurrent WebSocket clients in one room each receive every one of 100 broadcasts. */
class ManyClientsTest {
  private static final int CLIENTS = 1_000;
  private static final int BROADCASTS = 100;

  @Test
  void everyClientReceivesEveryBroadcast() throws Exception {
    try (ChatServer server = SocketIoTestApp.start(WebSocketTransportConfig.defaults(), b -> { })) {
      URI uri = URI.create(SocketIoTestApp.url(server).replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket");
      HttpClient http = HttpClient.newHttpClient();
      List<Counter> counters = new ArrayList<>();
      List<CompletableFuture<WebSocket>> sockets = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Counter counter = new Counter();
        counters.add(counter);
        sockets.add(http.newWebSocketBuilder().buildAsync(uri, counter));
        if (sockets.size() % 100 == 0) {
          CompletableFuture.allOf(sockets.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        }
      }
      for (CompletableFuture<WebSocket> socket : sockets) {
        socket.get(30, TimeUnit.SECONDS).sendText("40", true);
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> server.namespace().room("lobby").members().size() == CLIENTS);

      for (int i = 0; i < BROADCASTS; i++) {
        server.to("lobby").emit("tick", i);
      }
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> counters.stream().allMatch(c -> c.ticks.get() == BROADCASTS));
      assertThat(counters).allSatisfy(c -> {
        assertThat(c.ticks.get()).isEqualTo(BROADCASTS);
        assertThat(c.outOfOrder.get()).isZero();
      });
      for (CompletableFuture<WebSocket> socket : sockets) {
        socket.get().abort();
      }
    }
  }

  private static final class Counter implements WebSocket.Listener {
    final AtomicInteger ticks = new AtomicInteger();
    final AtomicInteger outOfOrder = new AtomicInteger();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      String text = data.toString();
      if (text.startsWith("42[\"tick\",")) {
        int value = Integer.parseInt(text.substring("42[\"tick\",".length(), text.length() - 1));
        if (value != ticks.getAndIncrement()) {
          outOfOrder.incrementAndGet();
        }
      } else if (text.equals("2")) {
        webSocket.sendText("3", true);
      }
      webSocket.request(1);
      return null;
    }
  }
}
