package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.store.memory.MemoryStore;
import dev.parley.testsupport.SseParser.SseEvent;
import dev.parley.testsupport.Timeouts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * SSE without sticky sessions: two nodes on one store, a stream on one, its posts sent to the other, which
 * carries them over the bus to the node that holds the stream and answers as that node would have.
 */
class SseAnyNodeTest {
  private final HttpClient http = SseTestClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private MemoryStore store;
  private ChatServer holder;
  private ChatServer other;

  @BeforeEach
  void start() {
    store = new MemoryStore();
    holder = node("holder");
    other = node("other");
    long deadline = System.nanoTime() + Timeouts.STEP.toNanos();
    while (holder.nodes().size() < 2 || other.nodes().size() < 2) {
      assertThat(System.nanoTime()).as("the nodes know each other").isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  private ChatServer node(String id) {
    return SseTestApp.start(SseTransportConfig.builder().postAckTimeout(Duration.ofSeconds(2))
        .heartbeatInterval(Duration.ofHours(1)).build(), b -> b.store(store)
        .config(c -> c.nodeId(id).clusterHeartbeat(Duration.ofMillis(200)).clusterNodeTimeout(Duration.ofSeconds(2))));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    other.close();
    holder.close();
    store.stop().block(Timeouts.STEP);
  }

  private SseTestClient open(String room) throws Exception {
    SseTestClient client = SseTestClient.open(http, SseTestApp.stream(holder, room));
    toClose.add(client);
    client.sync();
    return client;
  }

  // The client's post, sent to the other node's port instead of the stream's.
  private HttpRequest.Builder viaOther(SseTestClient client, String json) {
    URI toHolder = client.postUri(client.sessionId());
    URI toOther = URI.create(SseTestApp.url(other) + toHolder.getRawPath() + "?" + toHolder.getRawQuery());
    return client.postRequest(json).uri(toOther);
  }

  private HttpResponse<String> postViaOther(SseTestClient client, String json) throws Exception {
    return client.send(viaOther(client, json));
  }

  @Test
  @DisplayName("a post through the other node reaches the stream's handlers and comes back with their ack")
  void postThroughOtherNode() throws Exception {
    SseTestClient client = open("anywhere");
    SseTestClient listener = open("anywhere");

    HttpResponse<String> echoed = postViaOther(client, SseTestClient.body("echo", false, "hi", 2));
    HttpResponse<String> typed = postViaOther(client, SseTestClient.body("typing", false, "someone"));

    assertThat(echoed.statusCode()).as(echoed.body()).isEqualTo(200);
    JsonNode args = SseTestClient.MAPPER.readTree(echoed.body());
    assertThat(args.get(0).asString()).isEqualTo("hi");
    assertThat(args.get(1).asInt()).isEqualTo(2);
    assertThat(typed.statusCode()).isEqualTo(204);
    assertThat(listener.next("typing").data()).isEqualTo("\"someone\"");
  }

  @Test
  @DisplayName("answering the server's emitWithAck through the other node completes it")
  void ackThroughOtherNode() throws Exception {
    SseTestClient client = open("asking");

    assertThat(postViaOther(client, SseTestClient.body("ask", false, "why?")).statusCode()).isEqualTo(204);
    SseEvent question = client.next("question");
    JsonNode data = SseTestClient.MAPPER.readTree(question.data());
    long ackId = data.path("parley:ackId").asLong();
    HttpResponse<String> answered = postViaOther(client, "{\"ackId\": " + ackId + ", \"args\": [\"because\"]}");

    assertThat(answered.statusCode()).as(answered.body()).isEqualTo(204);
    assertThat(client.next("answer").data()).isEqualTo("\"because\"");
  }

  @Test
  @DisplayName("through the other node, a wrong token (naming the stream's node) is 403 and an unknown session 404,"
      + " as on the stream's node")
  void refusalsThroughOtherNode() throws Exception {
    SseTestClient client = open("refused");

    HttpResponse<String> forged = client.send(viaOther(client, SseTestClient.body("echo", false, "x"))
        .setHeader("X-Parley-Token", "A".repeat(43) + client.token().substring(43)));
    URI nowhere = URI.create(SseTestApp.url(other) + "/sse/refused?sid=no-such-session");
    HttpResponse<String> unknown = client.send(client.postRequest(SseTestClient.body("echo", false, "x"))
        .uri(nowhere));

    assertThat(forged.statusCode()).as(forged.body()).isEqualTo(403);
    assertThat(forged.body()).contains("wrong token");
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
    assertThat(unknown.body()).contains("unknown or closed session");
  }
}
