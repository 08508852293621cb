package dev.parley.bench;

import dev.parley.ChatServer;
import dev.parley.host.jetty.JettyHost;
import dev.parley.host.jetty.JettyHostConfig;

/**
 * The server the load generator measures, with the reference Node server's logic: {@code join(room, ack)}
 * acks "ok"; {@code pub(room, payload)} emits {@code msg} to the room; {@code echo(x, ack)} acks x. SSE
 * streams ({@code GET /sse/?room=bench}) join the room named by their {@code room} query parameter.
 *
 * <pre>java -cp parley-bench.jar dev.parley.bench.BenchServer [port]</pre>
 */
public final class BenchServer {
  /**
   * The host's thread pool of a dense node (README, "A dense node"): Jetty's threads parse requests and move
   * bytes, the handlers run on the server's own pool, and each thread past a few dozen keeps its stack (about
   * 2 KiB per connection at 10,000 connections with Jetty's default of 200, measured).
   */
  static final int JETTY_THREADS = 32;

  private BenchServer() {
  }

  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    ChatServer server = start(port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("parley bench server on http://127.0.0.1:" + server.address().orElseThrow().getPort()
        + " pid " + ProcessHandle.current().pid());
    server.onClose().block();
  }

  static ChatServer start(int port) {
    return ChatServer.builder()
        .host(new JettyHost(JettyHostConfig.builder().maxThreads(JETTY_THREADS).build()))
        // The load generator opens thousands of connections from one address and publishes as fast as the
        // server acks; the servers it compares have no such limits, so these are lifted.
        // The in-memory store, named: the bench jar also carries the MongoDB store (for its JMH benchmark).
        .config(c -> c.store("memory").bindAddress("127.0.0.1").port(port).outboundBufferSize(8192)
            .maxConnectionsPerAddress(1_000_000).maxEventsPerSecond(1_000_000).maxEventBurst(1_000_000))
        .onConnection(channel -> {
          channel.handshake().query("room").ifPresent(channel::join);
          channel.on("join", (ch, event) -> ch.join(event.arg(0, String.class)).subscribe(v -> { }, e -> { },
              () -> event.ack("ok")));
          channel.on("pub", (ch, event) -> ch.namespace().to(event.arg(0, String.class)).emit("msg", event.arg(1)));
          channel.on("echo", (ch, event) -> event.ack(event.arg(0)));
        })
        .start();
  }
}
