package dev.parley.transport.websocket;

import static dev.parley.transport.websocket.JavaClients.connect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.ChatServer;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import io.socket.engineio.client.transports.WebSocket;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The third-party Java client io.socket:socket.io-client 2.1 against Parley, WebSocket transport only. */
class WebSocketJavaClientTest {
  private ChatServer server;
  private String url;

  @BeforeEach
  void start() {
    server = SocketIoTestApp.start(WebSocketTransportConfig.defaults(), b -> { });
    url = SocketIoTestApp.url(server);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static IO.Options options() {
    return IO.Options.builder().setTransports(new String[] {WebSocket.NAME}).setReconnection(false)
        .setForceNew(true).build();
  }

  private static Object[] await(BlockingQueue<Object[]> queue) throws InterruptedException {
    Object[] args = queue.poll(10, TimeUnit.SECONDS);
    assertThat(args).as("arrived in time").isNotNull();
    return args;
  }

  @Test
  void emitsWithAckAndReceivesBroadcastsAndDirectMessages() throws Exception {
    Socket a = connect(url, options());
    Socket b = connect(url, options());
    try {
      BlockingQueue<Object[]> acks = new LinkedBlockingQueue<>();
      a.emit("echo", new JSONObject(Map.of("hello", "world")), (Ack) acks::add);
      assertThat(((JSONObject) await(acks)[0]).getString("hello")).isEqualTo("world");

      BlockingQueue<Object[]> atA = new LinkedBlockingQueue<>();
      BlockingQueue<Object[]> atB = new LinkedBlockingQueue<>();
      a.on("broadcast", atA::add);
      b.on("broadcast", atB::add);
      a.emit("shout", "hi all");
      assertThat(await(atA)[0]).isEqualTo("hi all");
      assertThat(await(atB)[0]).isEqualTo("hi all");

      BlockingQueue<Object[]> direct = new LinkedBlockingQueue<>();
      a.on("dm", direct::add);
      b.emit("dm", a.id(), "psst");
      assertThat(await(direct)[0]).isEqualTo("psst");
    } finally {
      a.close();
      b.close();
    }
  }

  @Test
  void sendsAndReceivesBinaryAndAnswersServerAcks() throws Exception {
    Socket a = connect(url, options());
    try {
      BlockingQueue<Object[]> acks = new LinkedBlockingQueue<>();
      a.emit("binary", new byte[] {1, 2, 3}, (Ack) acks::add);
      assertThat((byte[]) await(acks)[0]).containsExactly(3, 2, 1);

      a.on("question", args -> ((Ack) args[args.length - 1]).call(args[0] + "!"));
      BlockingQueue<Object[]> answers = new LinkedBlockingQueue<>();
      a.on("answer", answers::add);
      a.emit("ask", "why");
      assertThat(await(answers)[0]).isEqualTo("why!");
    } finally {
      a.close();
    }
  }

  @Test
  void connectsToASecondNamespaceOverTheSameConnection() throws Exception {
    IO.Options shared = IO.Options.builder().setTransports(new String[] {WebSocket.NAME}).setReconnection(false).build();
    Socket main = connect(url, shared);
    Socket admin = connect(url + "/admin", shared);
    try {
      assertThat(admin.io()).isSameAs(main.io());
      BlockingQueue<Object[]> acks = new LinkedBlockingQueue<>();
      admin.emit("whoami", new Object[0], acks::add);
      assertThat(await(acks)[0]).isEqualTo("/admin");
    } finally {
      admin.close();
      main.close();
    }
  }

  @Test
  void seesMiddlewareRejectionAsConnectError() throws Exception {
    IO.Options bad = options();
    bad.auth = Map.of("token", "bad");
    Socket socket = IO.socket(URI.create(url), bad);
    BlockingQueue<Object[]> errors = new LinkedBlockingQueue<>();
    socket.on(Socket.EVENT_CONNECT_ERROR, errors::add);
    socket.connect();
    try {
      JSONObject error = (JSONObject) await(errors)[0];
      assertThat(error.getString("message")).isEqualTo("not authorized");
      assertThat(error.getJSONObject("data").getString("reason")).isEqualTo("token");
      assertThat(server.namespace().channels()).isEmpty();
    } finally {
      socket.close();
    }
  }
}
