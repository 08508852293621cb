package dev.parley.examples.chat;

import dev.parley.ChatServer;
import dev.parley.Namespace;
import dev.parley.host.jetty.JettyHost;
import dev.parley.host.jetty.JettyHostConfig;

/**
 * The example chat server: the page in {@code resources/static}, WebSocket and SSE, rooms with history.
 *
 * <pre>
 * java -jar parley-chat.jar [--port 8080] [--store memory|mongo] [--mongo-uri mongodb://...] [--log-level info]
 *     [--tls-cert fullchain.pem --tls-key privkey.pem | --tls-keystore server.p12] [--trusted-proxies 10.0.0.0/8]
 *     [--node-timeout 15]
 * </pre>
 * Each flag can also come from the environment: {@code PORT}, {@code PARLEY_STORE},
 * {@code PARLEY_MONGODB_URI}, {@code LOG_LEVEL}, {@code TLS_CERT}, {@code TLS_KEY}, {@code TLS_KEYSTORE} (its
 * password only from {@code TLS_KEYSTORE_PASSWORD}), {@code TRUSTED_PROXIES}, {@code NODE_TIMEOUT}. Several nodes on one
 * MongoDB ({@code --store mongo}) serve the same rooms: who is online is counted across them.
 */
public final class ChatApp {
  private ChatApp() {
  }

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(2);
      return;
    }
    // Before the first logger is created, so it takes effect everywhere.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", options.logLevel());
    ChatServer server = start(options);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "parley-chat-shutdown"));
    String scheme = options.tls() != null ? "https" : "http";
    System.out.println("Parley chat is running: " + scheme + "://localhost:" + server.address().orElseThrow().getPort()
        + "/");
    server.onClose().block();
  }

  /** Starts the chat server; the caller closes it. */
  public static ChatServer start(Options options) {
    if (options.mongoUri() != null) {
      // Read by the "mongo" store that discovery creates (and that the server then owns and closes).
      System.setProperty("parley.mongodb.uri", options.mongoUri());
    }
    ChatRooms rooms = new ChatRooms();
    return ChatServer.builder()
        .config(c -> c.bindAddress(options.bindAddress()).port(options.port()).store(options.store())
            .clusterNodeTimeout(options.nodeTimeout()).clusterHeartbeat(options.nodeTimeout().dividedBy(3)))
        .host(new JettyHost(JettyHostConfig.builder().staticResources("static/").tls(options.tls())
            .trustedProxies(options.trustedProxies().toArray(String[]::new)).build()))
        // Who is in each room on every node: the example's "who is online".
        .namespace("/", Namespace::trackPresence)
        .use(ChatRooms::requireNickname)
        .onConnection(rooms::connected)
        .start();
  }
}
