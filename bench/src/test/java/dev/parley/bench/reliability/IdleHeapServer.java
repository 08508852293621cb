package dev.parley.bench.reliability;

import dev.parley.ChatServer;
import dev.parley.ServerStats;
import dev.parley.bench.JettyFloor;
import dev.parley.transport.sse.SseTransport;
import dev.parley.transport.sse.SseTransportConfig;
import dev.parley.transport.websocket.WebSocketTransport;
import dev.parley.transport.websocket.WebSocketTransportConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The server {@link IdleHeapTest} measures, in a JVM of its own so that its heap holds none of the clients'
 * objects: a Parley server with its default settings (both transports, polling on, connection state recovery
 * on, the in-memory store) on 127.0.0.1 and a free port, except that one address may open any number of
 * connections; and beside it the floor, a {@link JettyFloor}. It prints {@code port N} once it listens and
 * {@code floor N} (the floor's port), then answers each line on its stdin: {@code measure} prints
 * {@code heap=B channels=N sessions=N floor=N floorSse=N floorPolling=N} (the heap in use after full
 * collections, the server's counts, and the floor's open sockets, SSE streams and polling sessions), {@code histogram K} prints the {@code K}
 * classes whose bytes grew most since the previous {@code histogram} (for a failure's message) and then
 * {@code end}. It ends with its stdin. The floor's SSE heartbeat is every second, as the server's here.
 */
final class IdleHeapServer {
  private IdleHeapServer() {
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    ChatServer server = ChatServer.builder()
        .config(c -> c.store("memory").bindAddress("127.0.0.1").port(0).maxConnectionsPerAddress(1_000_000))
        .transport(new WebSocketTransport(WebSocketTransportConfig.defaults()))
        // A stream its client closed is noticed when a heartbeat cannot be written: every second here (15 s
        // by default), so that the test need not wait long between transports. A stream's state is the same.
        .transport(new SseTransport(SseTransportConfig.builder().heartbeatInterval(Duration.ofSeconds(1)).build()))
        .start();
    try (JettyFloor floor = JettyFloor.start(0, Duration.ofSeconds(1));
         BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      System.out.println("port " + server.address().orElseThrow().getPort());
      System.out.println("floor " + floor.port());
      Map<String, long[]> previous = LeakApp.classHistogram();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals("measure")) {
          long heap = LeakApp.heapAfterGc();
          ServerStats stats = server.stats();
          System.out.println("heap=" + heap + " channels=" + stats.channels() + " sessions=" + stats.sessions()
              + " floor=" + floor.openSockets() + " floorSse=" + floor.openStreams()
              + " floorPolling=" + floor.openPolls());
        } else if (line.startsWith("histogram ")) {
          Map<String, long[]> now = LeakApp.classHistogram();
          System.out.println(LeakApp.growth(previous, now, Integer.parseInt(line.substring(10))));
          System.out.println("end");
          previous = now;
        }
      }
    } finally {
      server.close();
    }
  }
}
