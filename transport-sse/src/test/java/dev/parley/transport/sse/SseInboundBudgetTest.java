package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.Event;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's inbound byte budget over SSE: a POST body is admitted at what it will hold once parsed
 * before it is parsed, and holds that until its answer is sent. With tiny budgets (4 KiB a connection,
 * 6,000 bytes the node): a body that does not fit for now is 503 with {@code Retry-After}, one that could
 * never fit is 413, though both are far under {@code maxPostBody}; once the held bodies are answered,
 * nothing is held.
 */
class SseInboundBudgetTest {
  private static final long PER_CONNECTION = 4096;
  private static final long NODE = 6000;

  private final HttpClient http = SseTestClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final BlockingQueue<Event> held = new LinkedBlockingQueue<>();
  private ChatServer server;

  @BeforeEach
  void start() {
    // "hold" keeps its event unanswered until the test acks it: a POST asking for the ack waits, and its
    // body's bytes stay counted.
    server = SseTestApp.start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1))
            .postAckTimeout(SseTestClient.TIMEOUT).build(),
        b -> b.config(c -> c.maxInboundBytes(PER_CONNECTION).nodeInboundBytes(NODE))
            .onConnection(channel -> channel.on("hold", (ch, event) -> held.add(event))));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    server.close();
  }

  private SseTestClient open() throws Exception {
    SseTestClient client = SseTestClient.open(http, SseTestApp.stream(server, "budget"));
    toClose.add(client);
    client.sync();
    return client;
  }

  /** Posts {@code {"event":"hold","args":["x…"],"ack":true}} and waits for the handler to have it. */
  private CompletableFuture<HttpResponse<String>> hold(SseTestClient client, int chars) throws Exception {
    CompletableFuture<HttpResponse<String>> response = http.sendAsync(
        client.postRequest(SseTestClient.body("hold", true, "x".repeat(chars))).build(),
        HttpResponse.BodyHandlers.ofString());
    Event event = held.poll(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(event).as("the handler got the held event").isNotNull();
    held.add(event);
    return response;
  }

  private static void assertError(HttpResponse<String> response, int status, String error) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.body()).isEqualTo("{\"error\":\"" + error + "\"}");
  }

  @Test
  void bodiesBeyondTheConnectionsOrTheNodesBudgetAre503AndOneBeyondAnyBudgetIs413() throws Exception {
    SseTestClient a = open();
    SseTestClient b = open();
    // About 2,500 bytes once parsed (two per character, and the arrays and values): A holds them.
    CompletableFuture<HttpResponse<String>> waiting = hold(a, 1000);
    assertThat(server.stats().inboundBytes()).isBetween(2000L, PER_CONNECTION);

    // A's connection has room for about 1,500 more: a second body of about 2,500 does not fit, for now.
    HttpResponse<String> connectionBusy = a.emit("echo", "y".repeat(1000));
    assertError(connectionBusy, 503, "server busy");
    assertThat(connectionBusy.headers().firstValue("Retry-After")).hasValue("1");

    // B's connection holds nothing, but the node has room for about 3,500: a body of about 3,900 waits too.
    HttpResponse<String> nodeBusy = b.emit("echo", "y".repeat(1700));
    assertError(nodeBusy, 503, "server busy");
    assertThat(nodeBusy.headers().firstValue("Retry-After")).hasValue("1");
    // A small one fits.
    assertThat(b.emit("echo", "small").statusCode()).isEqualTo(200);

    // Over 4,096 once parsed (though 2 KiB of text): it could never be admitted.
    assertError(b.emit("echo", "z".repeat(2100)), 413, "the body is too large once parsed");
    // 1,300 one-character strings: a few KiB of text, far more once parsed.
    assertError(b.post("{\"event\":\"echo\",\"args\":[" + "[],".repeat(1300) + "[]]}"), 413,
        "the body is too large once parsed");

    // A's held body is answered: its bytes are given back, and what was refused now fits.
    Event heldEvent = held.poll(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(heldEvent).as("the held event").isNotNull();
    heldEvent.ack("done");
    HttpResponse<String> answered = waiting.get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(answered.statusCode()).isEqualTo(200);
    assertThat(answered.body()).isEqualTo("[\"done\"]");
    assertThat(server.stats().inboundBytes()).isZero();
    assertThat(b.emit("echo", "y".repeat(1700)).statusCode()).isEqualTo(200);
    assertThat(a.emit("echo", "y".repeat(1000)).statusCode()).isEqualTo(200);
    assertThat(server.stats().inboundBytes()).isZero();
    assertThat(server.stats().busyEvents()).isEqualTo(2);
    assertThat(a.ended()).isNotDone();
    assertThat(b.ended()).isNotDone();
  }

  @Test
  void aRefusedOrMalformedBodyHoldsNothing() throws Exception {
    SseTestClient client = open();
    assertThat(client.post("{\"event\":\"echo\",\"args\":[").statusCode()).isEqualTo(400);
    assertThat(client.post("{\"ackId\":99,\"args\":[\"" + "x".repeat(500) + "\"]}").statusCode()).isEqualTo(400);
    assertThat(client.emit("echo", "z".repeat(2100)).statusCode()).isEqualTo(413);
    assertThat(server.stats().inboundBytes()).isZero();
    client.sync();
  }
}
