package dev.parley.examples.chat;

import dev.parley.host.jetty.Tls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The example's command line.
 *
 * @param port the port to listen on (0 for any free port)
 * @param bindAddress the address to listen on
 * @param store {@code memory} or {@code mongo}
 * @param mongoUri the MongoDB connection string for {@code --store mongo}
 * @param logLevel slf4j-simple's level: trace, debug, info, warn, error
 * @param tls the certificate and key to serve HTTPS with, or null for plain HTTP
 * @param trustedProxies the reverse proxies whose forwarding headers are believed (IP addresses or CIDR ranges)
 * @param nodeTimeout with several nodes on one MongoDB: how soon the others count a silent node as gone (and its
 *     users as having left); a node tells the others it is alive every third of it
 */
public record Options(int port, String bindAddress, String store, @Nullable String mongoUri, String logLevel,
    @Nullable Tls tls, List<String> trustedProxies, Duration nodeTimeout) {
  static final String USAGE = "usage: java -jar parley-chat.jar [--port 8080] [--bind 0.0.0.0] "
      + "[--store memory|mongo] [--mongo-uri mongodb://127.0.0.1:27017] [--log-level info] "
      + "[--tls-cert fullchain.pem --tls-key privkey.pem | --tls-keystore server.p12 (password in "
      + "TLS_KEYSTORE_PASSWORD)] [--trusted-proxies 10.0.0.0/8,127.0.0.1] [--node-timeout 15]";

  /** The default of {@code --node-timeout}, in seconds. */
  static final int NODE_TIMEOUT_SECONDS = 15;

  /** Plain HTTP, no trusted proxies. */
  public Options(int port, String bindAddress, String store, @Nullable String mongoUri, String logLevel) {
    this(port, bindAddress, store, mongoUri, logLevel, null, List.of(), Duration.ofSeconds(NODE_TIMEOUT_SECONDS));
  }

  public Options {
    trustedProxies = List.copyOf(trustedProxies);
  }

  /** These options with another {@code nodeTimeout}. */
  public Options withNodeTimeout(Duration timeout) {
    return new Options(port, bindAddress, store, mongoUri, logLevel, tls, trustedProxies, timeout);
  }
  private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");

  /**
   * Reads flags, falling back to the environment ({@code PORT}, {@code BIND}, {@code PARLEY_STORE},
   * {@code PARLEY_MONGODB_URI}, {@code LOG_LEVEL}, {@code TLS_CERT}, {@code TLS_KEY}, {@code TLS_KEYSTORE},
   * {@code TLS_KEYSTORE_PASSWORD}, {@code TRUSTED_PROXIES}, {@code NODE_TIMEOUT}) and then to the defaults. The key store's password
   * is read from the environment only, so that it does not show in the process list.
   *
   * @throws IllegalArgumentException naming the flag that is wrong, or saying what is wrong with the TLS files
   */
  public static Options parse(String[] args, Map<String, String> env) {
    String port = env.getOrDefault("PORT", "8080");
    String bind = env.getOrDefault("BIND", "0.0.0.0");
    String store = env.getOrDefault("PARLEY_STORE", "memory");
    String mongoUri = env.get("PARLEY_MONGODB_URI");
    String level = env.getOrDefault("LOG_LEVEL", "info");
    String cert = env.get("TLS_CERT");
    String key = env.get("TLS_KEY");
    String keyStore = env.get("TLS_KEYSTORE");
    String proxies = env.getOrDefault("TRUSTED_PROXIES", "");
    String nodeTimeout = env.getOrDefault("NODE_TIMEOUT", String.valueOf(NODE_TIMEOUT_SECONDS));
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + flag);
      }
      String value = args[++i];
      switch (flag) {
        case "--port" -> port = value;
        case "--bind" -> bind = value;
        case "--store" -> store = value;
        case "--mongo-uri" -> mongoUri = value;
        case "--log-level" -> level = value;
        case "--tls-cert" -> cert = value;
        case "--tls-key" -> key = value;
        case "--tls-keystore" -> keyStore = value;
        case "--trusted-proxies" -> proxies = value;
        case "--node-timeout" -> nodeTimeout = value;
        default -> throw new IllegalArgumentException("unknown flag: " + flag);
      }
    }
    int portNumber;
    try {
      portNumber = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port must be a number 0..65535: " + port);
    }
    if (portNumber < 0 || portNumber > 65_535) {
      throw new IllegalArgumentException("--port must be a number 0..65535: " + port);
    }
    if (!store.equals("memory") && !store.equals("mongo")) {
      throw new IllegalArgumentException("--store must be memory or mongo: " + store);
    }
    if (!LEVELS.contains(level)) {
      throw new IllegalArgumentException("--log-level must be one of trace, debug, info, warn, error: " + level);
    }
    int timeoutSeconds;
    try {
      timeoutSeconds = Integer.parseInt(nodeTimeout);
    } catch (NumberFormatException e) {
      timeoutSeconds = -1;
    }
    if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
      throw new IllegalArgumentException("--node-timeout must be a number of seconds 1..3600: " + nodeTimeout);
    }
    return new Options(portNumber, bind, store, mongoUri, level,
        tls(cert, key, keyStore, env.get("TLS_KEYSTORE_PASSWORD")),
        Arrays.stream(proxies.split(",")).map(String::strip).filter(p -> !p.isEmpty()).toList(),
        Duration.ofSeconds(timeoutSeconds));
  }

  private static @Nullable Tls tls(@Nullable String cert, @Nullable String key, @Nullable String keyStore,
      @Nullable String password) {
    if (keyStore != null) {
      if (cert != null || key != null) {
        throw new IllegalArgumentException("give either --tls-keystore or --tls-cert with --tls-key, not both");
      }
      if (password == null) {
        throw new IllegalArgumentException("--tls-keystore needs its password in TLS_KEYSTORE_PASSWORD");
      }
      return Tls.keyStore(Path.of(keyStore), password);
    }
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together");
    }
    return cert == null ? null : Tls.pem(Path.of(cert), Path.of(key));
  }
}
