package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import dev.parley.Replay;
import dev.parley.store.memory.MemoryStore;
import dev.parley.testsupport.Timeouts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SseSmokeTest {
  @Test
  void streamsHistoryThenLiveAndAcceptsPosts() throws Exception {
    try (ChatServer server = ChatServer.builder()
        .transport(new SseTransport(SseTransportConfig.defaults()))
        .store(new MemoryStore())
        .config(c -> c.bindAddress("127.0.0.1").port(0))
        .onConnection(ch -> {
          ch.join("lobby", Replay.resume(ch.handshake(), Replay.last(2)));
          ch.on("chat", (c, e) -> c.post("lobby", "chat", e.arg(0)).subscribe(m -> e.ack(m.id())));
        })
        .start()) {
      server.room("lobby").post("chat", Map.of("text", "one")).block(Timeouts.STEP);
      server.room("lobby").post("chat", Map.of("text", "two")).block(Timeouts.STEP);
      String base = "http://127.0.0.1:" + server.address().orElseThrow().getPort() + "/sse/lobby";
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<java.io.InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(base))
          .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
      BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = reader.readLine()) != null && lines.stream().filter(l -> l.startsWith("data:")).count() < 3) {
        lines.add(line);
      }
      String hello = lines.stream().filter(l -> l.startsWith("data: {\"sid\"")).findFirst().orElseThrow();
      var json = new tools.jackson.databind.json.JsonMapper().readTree(hello.substring(6));
      HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(base + "?sid=" + json.get("session").asString()))
          .header("Content-Type", "application/json").header("X-Parley-Token", json.get("token").asString())
          .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"chat\",\"args\":[{\"text\":\"three\"}],\"ack\":true}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
      assertThat(lines).contains("event: chat", "data: {\"text\":\"one\"}", "data: {\"text\":\"two\"}");
      stream.body().close();
    }
  }
}
