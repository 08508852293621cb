package dev.parley.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.RemoteChannel;
import dev.parley.examples.chat.RawSocket.Frame;
import dev.parley.testsupport.TestMongo;
import dev.parley.testsupport.Timeouts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two nodes of the example as two processes on one MongoDB: this JVM's ("near") and a child JVM started with the
 * same class path ("far"), which the test kills with SIGKILL. Operations across the nodes, who is online, and an
 * SSE client whose posts go to the node that does not hold its stream; then the far node's death, which takes its
 * users out of the near node's rooms within {@code --node-timeout} (2 s here) and a heartbeat.
 */
class ChatTwoProcessesTest {
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);
  private static final Pattern RUNNING = Pattern.compile("Parley chat is running: http://localhost:(\\d+)/");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final StringBuffer farOutput = new StringBuffer();
  private TestMongo mongo;
  private ChatServer near;
  private Process far;
  private URI nearUrl;
  private URI farUrl;

  @BeforeEach
  void startTwoNodes() throws Exception {
    mongo = TestMongo.inProcess();
    String uri = mongo.connectionString("chat_two_processes");
    near = ChatApp.start(new Options(0, "127.0.0.1", "mongo", uri, "warn").withNodeTimeout(NODE_TIMEOUT));
    nearUrl = ChatPage.url(near);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    far = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ChatApp.class.getName(),
        "--port", "0", "--bind", "127.0.0.1", "--store", "mongo", "--mongo-uri", uri, "--log-level", "warn",
        "--node-timeout", String.valueOf(NODE_TIMEOUT.toSeconds()))
        .redirectErrorStream(true).start();
    farUrl = URI.create("http://127.0.0.1:" + farPort() + "/");
    await("the nodes know each other").atMost(Timeouts.SLOW).pollInterval(Timeouts.POLL)
        .until(() -> near.nodes().size() == 2);
  }

  // Reads the child's output on a thread of its own (kept for the failure message) until it names its port.
  private int farPort() throws Exception {
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(far.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          farOutput.append(line).append('\n');
          Matcher running = RUNNING.matcher(line);
          if (running.find()) {
            port.complete(Integer.parseInt(running.group(1)));
          }
        }
      } catch (Exception e) {
        port.completeExceptionally(e);
      }
      port.completeExceptionally(new IllegalStateException("the far node ended:\n" + farOutput));
    }, "far-node-output");
    reader.setDaemon(true);
    reader.start();
    return port.get(Timeouts.SLOW.toSeconds(), TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    if (far != null) {
      far.destroyForcibly().waitFor(Timeouts.STEP.toSeconds(), TimeUnit.SECONDS);
    }
    if (near != null) {
      near.close();
    }
    if (mongo != null) {
      mongo.close();
    }
  }

  private RawSocket connect(URI node, String nick, String room) throws Exception {
    RawSocket socket = RawSocket.connect(node, nick);
    toClose.add(socket);
    assertThat(socket.join(room).asString()).isEqualTo("ok");
    return socket;
  }

  private static List<String> users(Frame presence) {
    List<String> users = new ArrayList<>();
    presence.arg().path("users").forEach(user -> users.add(user.asString()));
    return users;
  }

  @Test
  void twoProcessesServeOneChatAndTheSurvivorForgetsTheKilledOnesUsers() throws Exception {
    String nearId = near.config().nodeId();
    String farId = near.nodes().stream().filter(id -> !id.equals(nearId)).findFirst().orElseThrow();

    // Who is online, across the nodes.
    RawSocket alice = connect(nearUrl, "alice", "general");
    assertThat(users(alice.next("presence"))).containsExactly("alice");
    await("the far node knows alice is there").atMost(Timeouts.STEP).pollInterval(Timeouts.POLL)
        .until(() -> near.room("general").presence().members(null, 10).size() == 1);
    RawSocket bob = connect(farUrl, "bob", "general");
    assertThat(users(bob.next("presence"))).containsExactly("alice", "bob");
    Frame joined = alice.next("joined");
    assertThat(joined.arg().path("user").asString()).isEqualTo("bob");

    // Operations from the near node reach the far node's channels.
    List<RemoteChannel> inGeneral = near.to("general").fetchChannels().block(Timeouts.STEP);
    assertThat(inGeneral).extracting(RemoteChannel::node).containsExactlyInAnyOrder(nearId, farId);
    assertThat(inGeneral).extracting(channel -> channel.handshake().principal().getName())
        .containsExactlyInAnyOrder("alice", "bob");
    near.to("general").join("announcements").block(Timeouts.STEP);
    near.to("announcements").emit("notice", "maintenance at noon").block(Timeouts.STEP);
    assertThat(bob.next("notice").arg().asString()).isEqualTo("maintenance at noon");
    assertThat(alice.next("notice").arg().asString()).isEqualTo("maintenance at noon");

    // An SSE client on the far node, posting through the near one.
    SseStream carol = SseStream.open(farUrl, "carol", "general");
    toClose.add(carol);
    // "ack": true waits for the ack the handler sends once the line is stored: the stored line's id.
    HttpResponse<String> posted = carol.post(nearUrl, "{\"event\": \"chat\", \"ack\": true, \"args\": [{\"room\":"
        + " \"general\", \"text\": \"posted through the other node\"}]}");
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
    assertThat(JSON.readTree(posted.body()).get(0).asString()).isNotEmpty();
    assertThat(alice.next("chat").arg().path("text").asString()).isEqualTo("posted through the other node");
    assertThat(bob.next("chat").arg().path("from").asString()).isEqualTo("carol");

    // SIGKILL: no goodbye. The near node counts the far one gone after the node timeout, and its users leave.
    far.destroyForcibly();
    Set<String> left = new java.util.HashSet<>();
    while (left.size() < 2) {
      Frame frame = alice.next("left");
      left.add(frame.arg().path("user").asString());
    }
    assertThat(left).containsExactlyInAnyOrder("bob", "carol");
    assertThat(near.nodes()).containsExactly(nearId);
    assertThat(near.room("general").presence().count()).isEqualTo(1);
  }

  /** An EventSource stand-in: a stream opened with a nickname cookie, its session and token, and posts. */
  private static final class SseStream implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;
    private final String cookie;
    private final String session;
    private final String token;

    private SseStream(CompletableFuture<HttpResponse<Stream<String>>> response, String cookie, String session,
                      String token) {
      this.response = response;
      this.cookie = cookie;
      this.session = session;
      this.token = token;
    }

    static SseStream open(URI node, String nick, String room) throws Exception {
      String cookie = "nick=" + URLEncoder.encode(nick, StandardCharsets.UTF_8);
      CompletableFuture<HttpResponse<Stream<String>>> response = HTTP.sendAsync(
          HttpRequest.newBuilder(node.resolve("/sse/" + room)).header("Accept", "text/event-stream")
              .header("Cookie", cookie).GET().build(), HttpResponse.BodyHandlers.ofLines());
      Iterator<String> lines = response.get(Timeouts.STEP.toSeconds(), TimeUnit.SECONDS).body().iterator();
      String event = null;
      while (lines.hasNext()) {
        String line = lines.next();
        if (line.startsWith("event:")) {
          event = line.substring("event:".length()).strip();
        } else if (line.startsWith("data:") && "parley:session".equals(event)) {
          JsonNode hello = JSON.readTree(line.substring("data:".length()).strip());
          return new SseStream(response, cookie, hello.path("session").asString(), hello.path("token").asString());
        }
      }
      throw new IllegalStateException("the stream ended before its parley:session event");
    }

    HttpResponse<String> post(URI node, String json) throws Exception {
      return HTTP.send(HttpRequest.newBuilder(node.resolve("/sse/general?sid=" + session))
          .header("Content-Type", "application/json").header("X-Parley-Token", token).header("Cookie", cookie)
          .timeout(Timeouts.STEP).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
          HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
      response.thenAccept(r -> r.body().close());
      response.cancel(true);
    }
  }
}
