package dev.parley.internal;

import dev.parley.ChatServerConfig;
import dev.parley.error.ProviderNotFoundException;
import dev.parley.spi.Host;
import dev.parley.spi.HostProvider;
import dev.parley.spi.ProviderContext;
import dev.parley.spi.Store;
import dev.parley.spi.StoreProvider;
import dev.parley.spi.Transport;
import dev.parley.spi.TransportProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole discovery policy: what {@link ServiceLoader} finds on the class path and module path, one
 * broken provider reported and skipped, a missing one named with its artifact.
 */
final class Providers {
  private static final Logger log = LoggerFactory.getLogger(Providers.class);
  private static final Map<String, String> ARTIFACTS = Map.of(
      "websocket", "dev.parley:parley-transport-websocket",
      "sse", "dev.parley:parley-transport-sse",
      "in-process", "dev.parley:parley-test",
      "memory", "dev.parley:parley-store-memory",
      "mongo", "dev.parley:parley-store-mongo",
      "jetty", "dev.parley:parley-host-jetty");

  private Providers() {
  }

  static List<TransportProvider> transports() {
    List<TransportProvider> found = load(TransportProvider.class, TransportProvider::name);
    requireDistinctNames("transport", found, TransportProvider::name);
    return found;
  }

  static List<StoreProvider> stores() {
    List<StoreProvider> found = load(StoreProvider.class, StoreProvider::name);
    requireDistinctNames("store", found, StoreProvider::name);
    return found;
  }

  static List<HostProvider> hosts() {
    List<HostProvider> found = load(HostProvider.class, HostProvider::name);
    requireDistinctNames("host", found, HostProvider::name);
    return found;
  }

  /**
   * The store the config names, else the only one found. With several found and none named, none is picked:
   * a MongoDB jar that came in with something else must not quietly win over memory (and connect to a
   * database at 127.0.0.1), nor memory over a MongoDB the application meant to use.
   */
  static Store chooseStore(ChatServerConfig config, ProviderContext context) {
    List<StoreProvider> found = stores();
    StoreProvider chosen;
    if (config.store() != null) {
      chosen = named("store", config.store(), found, StoreProvider::name);
    } else if (found.isEmpty()) {
      throw new ProviderNotFoundException("store", "memory", artifact("memory"));
    } else if (found.size() > 1) {
      throw new IllegalStateException("several stores are on the class path: " + describe(found,
          StoreProvider::name) + "; name the one to use with ChatServer.builder().store(...) or"
          + " config(c -> c.store(\"" + found.get(0).name() + "\")), or remove the others' jars");
    } else {
      chosen = found.get(0);
    }
    return chosen.create(context);
  }

  /** Each provider's name with its artifact, or its class when it is not one of Parley's. */
  private static <P> String describe(List<P> found, Function<P, String> nameOf) {
    return found.stream().map(p -> "\"" + nameOf.apply(p) + "\" (" + ARTIFACTS.getOrDefault(nameOf.apply(p),
        p.getClass().getName()) + ")").collect(Collectors.joining(", "));
  }

  /** Refuses providers of one kind that share a name: which one a name means would depend on jar order. */
  private static <P> void requireDistinctNames(String kind, List<P> found, Function<P, String> nameOf) {
    Map<String, List<String>> classes = new LinkedHashMap<>();
    for (P provider : found) {
      classes.computeIfAbsent(nameOf.apply(provider), n -> new ArrayList<>()).add(provider.getClass().getName());
    }
    for (Map.Entry<String, List<String>> entry : classes.entrySet()) {
      if (entry.getValue().size() > 1) {
        throw new IllegalStateException("several " + kind + "s named \"" + entry.getKey()
            + "\" are on the class path: " + entry.getValue() + "; remove all but one of their jars");
      }
    }
  }

  /** The transports given, plus those the config names; with neither, every transport found. */
  static List<Transport> chooseTransports(ChatServerConfig config, List<Transport> given, ProviderContext context) {
    List<Transport> chosen = new ArrayList<>(given);
    List<TransportProvider> found = transports();
    if (!config.transports().isEmpty()) {
      for (String name : config.transports()) {
        chosen.add(named("transport", name, found, TransportProvider::name).create(context));
      }
    } else if (chosen.isEmpty()) {
      for (TransportProvider provider : found) {
        chosen.add(provider.create(context));
      }
    }
    if (chosen.isEmpty()) {
      log.warn("no transport found: clients cannot connect; add dev.parley:parley-transport-websocket");
    }
    return chosen;
  }

  /** The host the config names, else the one found if a transport needs one, else none. */
  static @Nullable Host chooseHost(ChatServerConfig config, List<Transport> transports, ProviderContext context) {
    if ("none".equals(config.host())) {
      return null;
    }
    List<HostProvider> found = hosts();
    if (config.host() != null) {
      return named("host", config.host(), found, HostProvider::name).create(context);
    }
    boolean needed = transports.stream().anyMatch(Transport::requiresHost);
    if (!needed) {
      return null;
    }
    if (found.isEmpty()) {
      throw new ProviderNotFoundException("host", "jetty", artifact("jetty"));
    }
    if (found.size() > 1) {
      throw new IllegalStateException("several hosts found (" + found.stream().map(HostProvider::name).toList()
          + "); choose one with ChatServer.builder().host(name)");
    }
    return found.get(0).create(context);
  }

  /** The provider with this name, or the exception that names the artifact to add. */
  static <P> P named(String kind, String name, List<P> found, Function<P, String> nameOf) {
    for (P provider : found) {
      if (nameOf.apply(provider).equals(name)) {
        return provider;
      }
    }
    List<String> names = found.stream().map(nameOf).toList();
    String artifact = ARTIFACTS.getOrDefault(name, "that provides the " + kind + " \"" + name + "\"");
    throw names.isEmpty()
        ? new ProviderNotFoundException(kind, name, artifact)
        : new ProviderNotFoundException(kind, name, artifact, String.join(", ", names));
  }

  /** The artifact that provides a named component, for messages. */
  static String artifact(String name) {
    return ARTIFACTS.getOrDefault(name, name);
  }

  private static <P> List<P> load(Class<P> type, Function<P, String> nameOf) {
    Map<String, P> byClass = new LinkedHashMap<>();
    List<ClassLoader> loaders = new ArrayList<>();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null) {
      loaders.add(context);
    }
    ClassLoader own = Providers.class.getClassLoader();
    if (own != context) {
      loaders.add(own);
    }
    for (ClassLoader loader : loaders) {
      var iterator = ServiceLoader.load(type, loader).iterator();
      while (true) {
        try {
          if (!iterator.hasNext()) {
            break;
          }
          P provider = iterator.next();
          byClass.putIfAbsent(provider.getClass().getName(), provider);
        } catch (ServiceConfigurationError e) {
          log.warn("skipping a {} that failed to load: {}", type.getSimpleName(), e.getMessage());
        }
      }
    }
    List<P> found = List.copyOf(byClass.values());
    log.debug("{}s found: {}", type.getSimpleName(), found.stream().map(nameOf).toList());
    return found;
  }
}
