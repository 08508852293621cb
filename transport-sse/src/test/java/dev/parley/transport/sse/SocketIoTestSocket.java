package dev.parley.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * A minimal Socket.IO v5 client over Engine.IO v4 on the JDK WebSocket: connects to the default
 * namespace with an auth payload, answers pings, sends events (with an ack id when asked) and queues the
 * frames it receives. Text only; enough to stand beside an SSE client in a room.
 */
final class SocketIoTestSocket implements WebSocket.Listener, AutoCloseable {
  private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private WebSocket socket;
  private String channelId;

  /** Opens the WebSocket, waits for the Engine.IO open packet, connects to {@code /} with {@code auth}. */
  static SocketIoTestSocket connect(HttpClient http, String baseUrl, String authJson) throws Exception {
    SocketIoTestSocket client = new SocketIoTestSocket();
    client.socket = http.newWebSocketBuilder().connectTimeout(SseTestClient.TIMEOUT)
        .buildAsync(URI.create(baseUrl.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"), client)
        .get(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(client.next()).startsWith("0{\"sid\":");
    client.send("40" + authJson);
    String connected = client.next();
    assertThat(connected).startsWith("40{\"sid\":");
    client.channelId = SseTestClient.MAPPER.readTree(connected.substring(2)).path("sid").asString();
    return client;
  }

  String channelId() {
    return channelId;
  }

  /** The next Socket.IO frame (pings are answered, not queued), waited for up to the SSE client's timeout. */
  String next() throws InterruptedException {
    String frame = frames.poll(SseTestClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(frame).as("a frame arrived within %s", SseTestClient.TIMEOUT).isNotNull();
    return frame;
  }

  /** The next frame, which must be an event ({@code 42[...]}): its name and arguments as one array. */
  ArrayNode nextEvent() throws InterruptedException {
    String frame = next();
    assertThat(frame).startsWith("42[");
    return (ArrayNode) SseTestClient.MAPPER.readTree(frame.substring(2));
  }

  /** The next frame, which must be the ack ({@code 43<id>[...]}) of {@code ackId}: its arguments. */
  ArrayNode nextAck(long ackId) throws InterruptedException {
    String frame = next();
    assertThat(frame).startsWith("43" + ackId + "[");
    return (ArrayNode) SseTestClient.MAPPER.readTree(frame.substring(2 + Long.toString(ackId).length()));
  }

  /** Frames received and not yet taken. */
  int pending() {
    return frames.size();
  }

  /** Sends {@code 42[name, args...]}, or {@code 42<ackId>[...]} when {@code ackId} is not negative. */
  void emit(long ackId, String event, Object... args) {
    ArrayNode array = SseTestClient.MAPPER.createArrayNode().add(event);
    for (Object arg : args) {
      array.add((JsonNode) SseTestClient.MAPPER.valueToTree(arg));
    }
    send("42" + (ackId >= 0 ? Long.toString(ackId) : "") + SseTestClient.MAPPER.writeValueAsString(array));
  }

  void send(String text) {
    socket.sendText(text, true).orTimeout(SseTestClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
  }

  @Override
  public void close() {
    socket.abort();
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      if (text.equals("2")) {
        webSocket.sendText("3", true);
      } else {
        frames.add(text);
      }
    }
    webSocket.request(1);
    return null;
  }
}
