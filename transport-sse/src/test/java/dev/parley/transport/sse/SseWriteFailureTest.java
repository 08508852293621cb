package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A packet that cannot be encoded for a stream (here the serialiser of an application value throws an
 * {@code Error}, as running out of memory would) ends that stream, with a reason the engine and the client
 * both see, instead of leaving it open and mute; every other stream goes on.
 */
class SseWriteFailureTest {
  private final HttpClient http = SseTestClient.newHttpClient();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private ChatServer server;

  /** A value whose serialisation fails with an Error. */
  public static final class Poison {
    public String getValue() {
      throw new OutOfMemoryError("simulated: no memory left to encode this value");
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    server.close();
  }

  private SseTestClient open() throws Exception {
    SseTestClient client = SseTestClient.open(http, SseTestApp.stream(server, "poison"));
    toClose.add(client);
    client.sync();
    return client;
  }

  @Test
  void anErrorWhileEncodingEndsThatStreamAndOthersKeepReceiving() throws Exception {
    server = SseTestApp.start(SseTransportConfig.builder().heartbeatInterval(Duration.ofHours(1)).build());
    SseTestClient victim = open();
    SseTestClient other = open();

    server.to(victim.channelId()).emit("poison", JsonNodeFactory.instance.pojoNode(new Poison()));

    victim.ended().get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(victim.drain()).as("nothing after the failure").isEmpty();
    assertThat(victim.emit("echo", "after").statusCode()).isEqualTo(404);
    await().atMost(SseTestClient.TIMEOUT).until(() -> server.stats().sessions() == 1);

    for (int i = 0; i < 3; i++) {
      server.to("poison").emit("after", i);
      assertThat(other.next("after").data()).isEqualTo(String.valueOf(i));
    }
    other.sync();
    other.close();
    await().atMost(SseTestClient.TIMEOUT).until(() -> {
      server.to("poison").emit("poke");
      return server.stats().isIdle();
    });
  }
}
