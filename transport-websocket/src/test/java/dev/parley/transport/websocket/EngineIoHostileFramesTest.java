package dev.parley.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import dev.parley.ChatServer;
import dev.parley.protocol.DisconnectReason;
import dev.parley.protocol.LogSafe;
import dev.parley.protocol.socketio.WireFrame;
import dev.parley.testsupport.HostilePackets;
import dev.parley.testsupport.RawSocket;
import dev.parley.testsupport.Timeouts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Engine.IO framing (text frames of every packet type, binary frames, attachments announced and not
 * sent, or sent and not announced) over a real socket: whatever a client sends, the connection either goes
 * on working (it answers a ping) or is closed with 1002 (1000 for Engine.IO's own close packet), never with
 * a server error. Hand-made sequences, fewer than the codec's own cases: each is a connection. The fuzz tests
 * (internal.EngineIoFramesFuzzTest) feed the same framing any sequence, without a socket.
 */
class EngineIoHostileFramesTest {
  private static final Map<String, DisconnectReason> REASONS = new ConcurrentHashMap<>();
  private static ChatServer server;
  private static String url;

  @BeforeAll
  static void start() {
    server = SocketIoTestApp.start(WebSocketTransportConfig.defaults(),
        b -> b.onConnection(channel -> channel.onDisconnect().subscribe(reason -> REASONS.put(channel.id(), reason))));
    url = SocketIoTestApp.url(server);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @ParameterizedTest
  @MethodSource("frames")
  void anyFramesLeaveTheConnectionWorkingOrCloseIt(List<Object> frames) throws Exception {
    RawSocket raw = RawSocket.open(url);
    try {
      assertThat(raw.next()).startsWith("0{\"sid\":");
      raw.send("40");
      boolean open = true;
      for (Object frame : frames) {
        open = open && !raw.isClosed() && sent(() -> send(raw, frame));
      }
      // An Engine.IO ping only a working connection answers. (A Socket.IO echo would not do: after a random
      // "41" the client is out of "/", and events sent before a new CONNECT is answered are dropped.)
      open = open && sent(() -> raw.send("2probe"));
      List<String> channels = new ArrayList<>();
      String next;
      while ((next = raw.nextOrNull()) != null) {
        if (next.equals("3probe")) {
          return;
        }
        if (next.startsWith("40{\"sid\":\"")) {
          channels.add(next.substring(10, next.indexOf('"', 10)));
        }
      }
      assertThat(raw.isClosed()).as("neither the probe's ack nor a close after %s", describe(frames)).isTrue();
      if (raw.closeCode(1) == -1) {
        // The client wrote on after the server's close frame and lost the race to read it (broken pipe):
        // the server's side then says why it closed.
        assertThat(raw.error()).isInstanceOf(java.io.IOException.class);
        for (String channel : channels) {
          await().atMost(Timeouts.STEP).until(() -> REASONS.containsKey(channel));
          assertThat(REASONS.get(channel)).as("server's reason after %s", describe(frames))
              .isIn(DisconnectReason.PARSE_ERROR, DisconnectReason.TRANSPORT_CLOSE);
        }
      } else {
        assertThat(raw.closeCode(1)).as("close code after %s", describe(frames)).isIn(1000, 1002);
      }
    } finally {
      raw.abort();
    }
  }

  private static void send(RawSocket raw, Object frame) {
    if (frame instanceof String text) {
      raw.send(utf8(text));
    } else if (frame instanceof WireFrame packet) {
      raw.send(utf8(packet.text()));
      packet.attachments().forEach(raw::sendBinary);
    } else {
      raw.sendBinary((byte[]) frame);
    }
  }

  private static List<String> describe(List<Object> frames) {
    return frames.stream().map(frame -> frame instanceof String text ? LogSafe.quote(text)
        : frame instanceof WireFrame packet ? LogSafe.quote(packet.text()) + " + " + packet.attachments().size()
        : "binary(" + ((byte[]) frame).length + ")").toList();
  }

  /** A WebSocket text frame is UTF-8: a lone surrogate cannot be sent, so it goes as "?". */
  private static String utf8(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }

  /** Whether the frames went out; false when the server had already closed the socket. */
  private static boolean sent(Runnable send) {
    try {
      send.run();
      return true;
    } catch (CompletionException e) {
      assertThat(e).hasRootCauseInstanceOf(java.io.IOException.class);
      return false;
    }
  }

  /**
   * One to five frames each: mutated Socket.IO texts (every 25th of them), valid packets with their attachments,
   * Engine.IO's own packets and tricky text, binary frames nobody announced, attachments announced and not sent.
   */
  static List<List<Object>> frames() {
    List<Object> socketIo = new ArrayList<>();
    List<String> mutated = HostilePackets.mutated();
    for (int k = 0; k < mutated.size(); k += 25) {
      socketIo.add("4" + mutated.get(k));
    }
    List<Object> valid = new ArrayList<>();
    List<dev.parley.protocol.Packet> packets = HostilePackets.packets();
    for (int k = 0; k < packets.size(); k += 7) {
      valid.add(HostilePackets.encode(packets.get(k)));
    }
    List<Object> engineIo = new ArrayList<>(List.of("2", "2probe", "3", "6", "1", "5", "0", "", "4", "41", "9x",
        "2" + "p".repeat(17), HostilePackets.TRICKY, HostilePackets.TRICKY.substring(3, 11)));
    List<Object> binary = List.of(new byte[0], new byte[] {4, 0, 1}, new byte[64]);
    List<Object> announced = List.of("451-[\"binary\",{\"_placeholder\":true,\"num\":0}]",
        "453-[\"binary\",{\"_placeholder\":true,\"num\":0}]", "461-1[{\"_placeholder\":true,\"num\":0}]");
    List<List<Object>> out = new ArrayList<>();
    for (Object frame : socketIo) {
      out.add(List.of(frame));
    }
    for (int k = 0; k < valid.size(); k++) {
      out.add(List.of(valid.get(k), socketIo.get(k % socketIo.size())));
    }
    for (int k = 0; k < engineIo.size(); k++) {
      out.add(List.of(engineIo.get(k), valid.get(k % valid.size()), binary.get(k % binary.size())));
    }
    for (int k = 0; k < announced.size(); k++) {
      out.add(List.of(announced.get(k), binary.get(k), engineIo.get(k), valid.get(k), socketIo.get(k)));
      out.add(List.of(announced.get(k), announced.get(k)));
    }
    for (Object frame : binary) {
      out.add(List.of(frame));
    }
    return out;
  }
}
