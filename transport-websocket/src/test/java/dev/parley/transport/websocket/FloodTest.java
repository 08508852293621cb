package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.testsupport.RawSocket;
import dev.parley.testsupport.Timeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One client floods while others chat, on the real host: the flooder's excess is answered "rate limited"
 * and it stays connected; the others lose nothing. (How much the flood slows the others is measured, not
 * asserted: see the bench module's {@code FloodMeasurement}.)
 */
class FloodTest {
  private static final int FLOOD = 400;
  private static final int CHATTERS = 3;
  private static final int LINES = 20;
  private static final Pattern ACK = Pattern.compile("43(\\d+)\\[(.*)]");
  private static final Pattern BROADCAST = Pattern.compile("42\\[\"broadcast\",\"([^\"]*)\"");

  private ChatServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void floodIsRateLimitedWhileOtherClientsReceiveEverything() throws Exception {
    server = SocketIoTestApp.start(WebSocketTransportConfig.defaults(),
        b -> b.config(c -> c.maxEventsPerSecond(50).maxEventBurst(50)));
    String url = SocketIoTestApp.url(server);
    RawSocket flooder = connected(url);
    List<RawSocket> chatters = new ArrayList<>();
    for (int i = 0; i < CHATTERS; i++) {
      chatters.add(connected(url));
    }

    CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < FLOOD; i++) {
        flooder.send("42" + i + "[\"echo\"," + i + "]");
      }
    });
    Set<String> said = new HashSet<>();
    for (int line = 0; line < LINES; line++) {
      for (int c = 0; c < CHATTERS; c++) {
        String text = "c" + c + "-" + line;
        said.add(text);
        chatters.get(c).send("42[\"shout\",\"" + text + "\"]");
      }
    }
    flood.get(30, TimeUnit.SECONDS);

    for (RawSocket chatter : chatters) {
      Set<String> heard = new HashSet<>();
      for (int i = 0; i < CHATTERS * LINES; i++) {
        Matcher broadcast = BROADCAST.matcher(chatter.next());
        assertThat(broadcast.lookingAt()).isTrue();
        heard.add(broadcast.group(1));
      }
      assertThat(heard).isEqualTo(said);
    }

    int accepted = 0;
    int limited = 0;
    Set<Integer> answered = new HashSet<>();
    while (answered.size() < FLOOD) {
      String frame = flooder.next();
      if (frame.startsWith("42[\"broadcast\"")) {
        continue;
      }
      Matcher ack = ACK.matcher(frame);
      assertThat(ack.matches()).as("an ack: %s", frame).isTrue();
      int id = Integer.parseInt(ack.group(1));
      assertThat(answered.add(id)).as("one answer for %s", id).isTrue();
      if (ack.group(2).equals(String.valueOf(id))) {
        accepted++;
      } else {
        assertThat(ack.group(2)).isEqualTo("{\"error\":\"rate limited\"}");
        limited++;
      }
    }
    // The burst is the connection's, and its CONNECT took one of the 50.
    assertThat(accepted).as("the burst went through").isGreaterThanOrEqualTo(50 - 1);
    assertThat(limited).as("the excess was refused").isPositive();
    // Still connected: once its budget refills, its events are handled again.
    AtomicInteger nextId = new AtomicInteger(FLOOD);
    await().atMost(Timeouts.STEP).pollInterval(Duration.ofMillis(50)).until(() -> {
      int id = nextId.getAndIncrement();
      flooder.send("42" + id + "[\"echo\",\"after\"]");
      String answer;
      do {
        answer = flooder.next();
      } while (!answer.startsWith("43" + id + "["));
      return answer.equals("43" + id + "[\"after\"]");
    });
    assertThat(flooder.isClosed()).isFalse();
  }

  private static RawSocket connected(String url) throws InterruptedException {
    RawSocket raw = RawSocket.open(url);
    assertThat(raw.next()).startsWith("0{\"sid\":");
    raw.send("40");
    assertThat(raw.next()).startsWith("40{\"sid\":");
    return raw;
  }
}
