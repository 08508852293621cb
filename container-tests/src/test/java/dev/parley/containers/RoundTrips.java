package dev.parley.containers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.client.ClientEvent;
import dev.parley.client.ClientReply;
import dev.parley.client.ParleyClient;
import dev.parley.client.Reconnect;
import dev.parley.protocol.sse.EventStreamParser;
import dev.parley.testsupport.QueuedEventStream;
import dev.parley.testsupport.Timeouts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client side of the container tests, against a {@link MountedApp} served at {@code http://127.0.0.1:port}
 * (the transports on their default paths, {@code /socket.io/} and {@code /sse/}): Parley's Java client over
 * WebSocket, an event stream and its POSTs on the JDK HttpClient, and an Engine.IO long-polling session by hand.
 * {@link #close()} closes every client and stream it opened.
 */
final class RoundTrips implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final URI base;
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Timeouts.CONNECT)
      .build();
  private final List<AutoCloseable> opened = new ArrayList<>();

  RoundTrips(int port) {
    this.base = URI.create("http://127.0.0.1:" + port);
  }

  /**
   * Connects Parley's client over WebSocket and checks both directions: the server's {@code welcome} carries the
   * client's id, and an {@code echo} comes back as its ack.
   *
   * @return the connected client, still open (closed by {@link #close()})
   */
  ParleyClient webSocketEchoes() throws InterruptedException {
    BlockingQueue<ClientEvent> welcome = new LinkedBlockingQueue<>();
    ParleyClient client = ParleyClient.builder(base)
        .reconnect(Reconnect.off())
        .connectTimeout(Timeouts.CONNECT)
        .on("welcome", welcome::add)
        .connect();
    opened.add(client);

    ClientEvent greeted = welcome.poll(Timeouts.STEP.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(greeted).as("welcome within %s", Timeouts.STEP).isNotNull();
    assertThat(greeted.arg(0, String.class)).isEqualTo(client.id());
    ClientReply reply = client.emitWithAck("echo", "ping", 42).block(Timeouts.STEP);
    assertThat(reply).isNotNull();
    assertThat(reply.arg(0, String.class)).isEqualTo("ping");
    assertThat(reply.arg(1, Integer.class)).isEqualTo(42);
    return client;
  }

  /**
   * Opens an event stream, checks that it gets {@code welcome} with its channel id, POSTs {@code chat} on its
   * session and checks that the POST's answer is the stored message's id and that the stream then receives the
   * message under that id; then POSTs {@code bye} and checks that the server ends the stream.
   */
  void sseStreamReceivesWhatWasPosted() throws Exception {
    Stream stream = openStream();
    HttpResponse<String> posted = stream.post("{\"event\":\"chat\",\"args\":[{\"text\":\"hello\"}],\"ack\":true}");
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
    String messageId = JSON.readTree(posted.body()).get(0).asString();

    EventStreamParser.Event message = stream.next();
    assertThat(message.type()).isEqualTo("chat");
    assertThat(message.id()).isEqualTo(messageId);
    assertThat(JSON.readTree(message.data()).get("text").asString()).isEqualTo("hello");

    // Ended by the server: a client's cancel goes unnoticed until the server next writes, and an open stream holds
    // a container's stop (Tomcat waits up to its unloadDelay for the request).
    HttpResponse<String> bye = stream.post("{\"event\":\"bye\",\"args\":[]}");
    assertThat(bye.statusCode()).as(bye.body()).isEqualTo(204);
    stream.assertEndedByServer();
  }

  /** Opens an event stream on the lobby and takes its {@code parley:session} and {@code welcome} events. */
  Stream openStream() throws Exception {
    Stream stream = new Stream();
    opened.add(stream::cancel);
    http.sendAsync(HttpRequest.newBuilder(base.resolve("/sse/" + MountedApp.LOBBY))
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.fromLineSubscriber(stream));

    EventStreamParser.Event session = stream.next();
    assertThat(session.type()).isEqualTo("parley:session");
    stream.hello = JSON.readTree(session.data());
    EventStreamParser.Event welcome = stream.next();
    assertThat(welcome.type()).isEqualTo("welcome");
    assertThat(JSON.readTree(welcome.data()).asString()).isEqualTo(stream.hello.get("sid").asString());
    return stream;
  }

  /**
   * Opens an Engine.IO session by long-polling and connects it to the default namespace: the handshake
   * {@code GET}, a {@code POST} of Socket.IO's CONNECT, and the {@code GET} that brings its answer; then closes
   * the session.
   */
  void pollingConnects() throws Exception {
    HttpResponse<String> handshake = get("/socket.io/?EIO=4&transport=polling");
    assertThat(handshake.statusCode()).as(handshake.body()).isEqualTo(200);
    assertThat(handshake.body()).startsWith("0{");
    JsonNode open = JSON.readTree(handshake.body().substring(1));
    String sid = open.get("sid").asString();
    assertThat(open.get("upgrades").toString()).contains("websocket");

    String session = "/socket.io/?EIO=4&transport=polling&sid=" + sid;
    HttpResponse<String> connect = post(session, "40", "text/plain;charset=UTF-8", null);
    assertThat(connect.statusCode()).as(connect.body()).isEqualTo(200);
    assertThat(connect.body()).isEqualTo("ok");

    HttpResponse<String> answer = get(session);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    assertThat(answer.body()).startsWith("40{\"sid\":");

    // Engine.IO's close packet ends the session at once (else the server's close would wait for the next poll).
    assertThat(post(session, "1", "text/plain;charset=UTF-8", null).statusCode()).isEqualTo(200);
    HttpResponse<String> ended = get(session);
    assertThat(ended.statusCode()).isEqualTo(400);
    assertThat(ended.body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
  }

  /** A {@code GET} of {@code pathAndQuery} on the container, waiting at most {@link Timeouts#STEP}. */
  HttpResponse<String> get(String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Timeouts.STEP).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A {@code POST} of {@code body}, with Parley's SSE token if not null, waiting at most {@link Timeouts#STEP}. */
  private HttpResponse<String> post(String pathAndQuery, String body, String contentType, @Nullable String token)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(pathAndQuery))
        .header("Content-Type", contentType)
        .timeout(Timeouts.STEP)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("X-Parley-Token", token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable each : opened) {
      each.close();
    }
  }

  /** An event stream, its events queued; opened by {@link #openStream()}. */
  final class Stream extends QueuedEventStream {
    // The parley:session event's data: the session id and its token, which the POSTs carry.
    private JsonNode hello;

    /** POSTs {@code json} on the stream's session. */
    HttpResponse<String> post(String json) throws Exception {
      return RoundTrips.this.post("/sse/" + MountedApp.LOBBY + "?sid=" + hello.get("session").asString(), json,
          "application/json", hello.get("token").asString());
    }

    /** Checks that the next event is the server's {@code parley:disconnect} and that the stream then ends. */
    void assertEndedByServer() throws InterruptedException {
      assertThat(next().type()).isEqualTo("parley:disconnect");
      assertThat(awaitEnd(Timeouts.STEP)).as("stream ended").isTrue();
    }
  }
}
