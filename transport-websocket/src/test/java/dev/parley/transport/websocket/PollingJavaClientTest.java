package dev.parley.transport.websocket;

import static dev.parley.transport.websocket.JavaClients.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.testsupport.Timeouts;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Manager;
import io.socket.client.Socket;
import io.socket.engineio.client.Transport;
import io.socket.engineio.client.transports.Polling;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The third-party Java client io.socket:socket.io-client 2.1 with its default options (HTTP long-polling, then
 * the upgrade to WebSocket), and told to poll only: connect, an event, acks both ways and binary, and the
 * transport it ends up on, as the client sees it and as the server counts it. Over polling this client sends
 * binary as base64 broken into lines, which the server reads as Node's engine.io does.
 */
class PollingJavaClientTest {
  private static final Duration WAIT = Timeouts.STEP;

  private ChatServer server;
  private String url;

  @BeforeEach
  void start() {
    // A short heartbeat, so that pings cross the long-polls while the test runs.
    server = SocketIoTestApp.start(WebSocketTransportConfig.builder().pingInterval(Duration.ofMillis(300))
        .pingTimeout(Duration.ofSeconds(2)).build(), b -> { });
    url = SocketIoTestApp.url(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static Object[] next(BlockingQueue<Object[]> queue) throws InterruptedException {
    Object[] args = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(args).as("arrived within %s", WAIT).isNotNull();
    return args;
  }

  /**
   * The name of the transport the client's engine uses now. The client has no public getter for it (its
   * Manager's "transport" event also fires for a probe that may fail), so its fields are read.
   */
  private static String transport(Socket socket) throws ReflectiveOperationException {
    Field engine = Manager.class.getDeclaredField("engine");
    engine.setAccessible(true);
    Field transport = engine.getType().getDeclaredField("transport");
    transport.setAccessible(true);
    return ((Transport) transport.get(engine.get(socket.io()))).name;
  }

  private int count(String what) {
    return server.stats().transports().get("websocket." + what);
  }

  /** An event with an ack, binary with an ack, an event the server answers, and a server-to-client ack. */
  private static void exchange(Socket socket, String tag) throws Exception {
    BlockingQueue<Object[]> acks = new LinkedBlockingQueue<>();
    socket.emit("echo", new JSONObject(Map.of("tag", tag)), (Ack) acks::add);
    assertThat(((JSONObject) next(acks)[0]).getString("tag")).isEqualTo(tag);

    // Long enough that the client's base64 over polling runs to several lines.
    byte[] bytes = new byte[200];
    byte[] reversed = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
      reversed[bytes.length - 1 - i] = (byte) i;
    }
    socket.emit("binary", bytes, (Ack) acks::add);
    assertThat((byte[]) next(acks)[0]).containsExactly(reversed);

    BlockingQueue<Object[]> broadcasts = new LinkedBlockingQueue<>();
    socket.on("broadcast", broadcasts::add);
    socket.emit("shout", tag);
    assertThat(next(broadcasts)[0]).isEqualTo(tag);
    socket.off("broadcast");

    socket.on("question", args -> ((Ack) args[args.length - 1]).call(args[0] + "!"));
    BlockingQueue<Object[]> answers = new LinkedBlockingQueue<>();
    socket.on("answer", answers::add);
    socket.emit("ask", tag);
    assertThat(next(answers)[0]).isEqualTo(tag + "!");
    socket.off("question");
    socket.off("answer");
  }

  @Test
  void withItsDefaultsTheClientPollsThenUpgradesToWebSocket() throws Exception {
    IO.Options defaults = IO.Options.builder().setReconnection(false).setForceNew(true).build();
    assertThat(defaults.transports).as("nothing set: the client's own default list applies").isNull();
    Socket socket = connect(url, defaults);
    try {
      exchange(socket, "first");
      await().atMost(WAIT).until(() -> transport(socket).equals("websocket"));
      await().atMost(WAIT).until(() -> count("sockets") == 1);
      // The session stays the same across the upgrade: everything works on as before.
      exchange(socket, "upgraded");
      assertThat(transport(socket)).isEqualTo("websocket");
    } finally {
      socket.close();
    }
    await().atMost(WAIT).until(() -> server.stats().isIdle());
  }

  @Test
  void toldToPollOnlyTheClientStaysOnPolling() throws Exception {
    IO.Options polling = IO.Options.builder().setTransports(new String[] {Polling.NAME}).setReconnection(false)
        .setForceNew(true).build();
    Socket socket = connect(url, polling);
    try {
      exchange(socket, "first");
      exchange(socket, "second");
      assertThat(transport(socket)).isEqualTo("polling");
      assertThat(count("polling")).isEqualTo(1);
      assertThat(count("sockets")).isZero();
    } finally {
      socket.close();
    }
    await().atMost(WAIT).until(() -> server.stats().isIdle());
  }
}
