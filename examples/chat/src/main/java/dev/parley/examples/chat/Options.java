package dev.parley.examples.chat;

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
 */
public record Options(int port, String bindAddress, String store, @Nullable String mongoUri, String logLevel) {
  static final String USAGE = "usage: java -jar parley-chat.jar [--port 8080] [--bind 0.0.0.0] "
      + "[--store memory|mongo] [--mongo-uri mongodb://127.0.0.1:27017] [--log-level info]";
  private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");

  /**
   * Reads flags, falling back to the environment ({@code PORT}, {@code BIND}, {@code PARLEY_STORE},
   * {@code PARLEY_MONGODB_URI}, {@code LOG_LEVEL}) and then to the defaults.
   *
   * @throws IllegalArgumentException naming the flag that is wrong
   */
  public static Options parse(String[] args, Map<String, String> env) {
    String port = env.getOrDefault("PORT", "8080");
    String bind = env.getOrDefault("BIND", "0.0.0.0");
    String store = env.getOrDefault("PARLEY_STORE", "memory");
    String mongoUri = env.get("PARLEY_MONGODB_URI");
    String level = env.getOrDefault("LOG_LEVEL", "info");
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
    return new Options(portNumber, bind, store, mongoUri, level);
  }
}
